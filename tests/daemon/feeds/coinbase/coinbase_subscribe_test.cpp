#include "feeds/coinbase/coinbase_subscribe.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tickguard::feeds::coinbase {
namespace {

TEST(CoinbaseSubscribe, BuildsOneRequestWithProductsAndChannels) {
  const std::vector<std::string_view> products = {"BTC-USD", "ETH-EUR"};
  EXPECT_EQ(subscription_request(RequestType::kSubscribe, products, kChannels),
            R"({"type":"subscribe","product_ids":["BTC-USD","ETH-EUR"],)"
            R"("channels":["heartbeat","matches","ticker","level2_batch"]})");
  const std::string_view one[] = {"SKL-USD"};
  const std::string_view book[] = {kBookChannel};
  EXPECT_EQ(subscription_request(RequestType::kUnsubscribe, one, book),
            R"({"type":"unsubscribe","product_ids":["SKL-USD"],"channels":["level2_batch"]})");
}

TEST(CoinbaseSubscribe, UsesOnlyChannelsThatNeedNoAuthentication) {
  for (std::string_view channel : kChannels) {
    EXPECT_NE(channel, "level2") << "level2 requires an authenticated subscription";
    EXPECT_NE(channel, "full");
  }
  EXPECT_EQ(kChannels.back(), kBookChannel);
}

TEST(CoinbaseSubscribe, SplitsManyProductsIntoBoundedRequestsInOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) ids.push_back("P" + std::to_string(i) + "-USD");
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  const auto requests = subscription_requests(RequestType::kSubscribe, views, kChannels);
  ASSERT_EQ(requests.size(), 3u);  // 100 + 100 + 50
  std::size_t total = 0;
  for (const auto& request : requests) {
    std::size_t count = 0;
    for (std::size_t at = request.find("-USD\""); at != std::string::npos;
         at = request.find("-USD\"", at + 1)) {
      ++count;
    }
    EXPECT_LE(count, kMaxProductsPerRequest);
    total += count;
  }
  EXPECT_EQ(total, 250u);
  EXPECT_NE(requests[0].find(R"(["P0-USD","P1-USD")"), std::string::npos);
  EXPECT_NE(requests[2].find(R"("P249-USD"])"), std::string::npos);
  EXPECT_NE(requests[1].find(R"(["P100-USD",)"), std::string::npos);
}

TEST(CoinbaseSubscribe, NoProductsMeansNoRequestAndTinyLimitsStillProgress) {
  EXPECT_TRUE(subscription_requests(RequestType::kSubscribe, {}, kChannels).empty());
  const std::vector<std::string_view> products = {"A-B", "C-D"};
  EXPECT_EQ(subscription_requests(RequestType::kSubscribe, products, kChannels, 0).size(), 2u);
  EXPECT_EQ(subscription_requests(RequestType::kSubscribe, products, kChannels, 2).size(), 1u);
}

}  // namespace
}  // namespace tickguard::feeds::coinbase
