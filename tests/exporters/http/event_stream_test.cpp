// The event stream hub: fan-out, bounded client buffers, client limit, close.
#include "exporters/http/event_stream.h"

#include <gtest/gtest.h>

#include <thread>

#include "exporters/http/json_writer.h"

namespace tickguard::exporters {
namespace {

using namespace std::chrono_literals;
using Wait = EventStream::Client::Wait;

std::vector<StreamMessage> messages(std::int64_t from, std::int64_t to) {
  std::vector<StreamMessage> out;
  for (std::int64_t id = from; id < to; ++id) out.push_back({id, "{\"id\":" + std::to_string(id) + "}"});
  return out;
}

TEST(EventStream, EveryClientGetsEveryMessageInOrder) {
  EventStream stream(4, 100);
  auto a = stream.connect();
  auto b = stream.connect();
  stream.publish(messages(1, 4));
  stream.publish(messages(4, 6));
  for (const auto& client : {a, b}) {
    std::vector<StreamMessage> got;
    ASSERT_EQ(client->next(got, 0ms), Wait::kMessages);
    ASSERT_EQ(got.size(), 5u);
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id, static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(client->next(got, 1ms), Wait::kTimeout);
  }
}

TEST(EventStream, AWaitingClientWakesOnPublish) {
  EventStream stream(1, 10);
  auto client = stream.connect();
  std::thread publisher([&] {
    std::this_thread::sleep_for(20ms);
    stream.publish(messages(7, 8));
  });
  std::vector<StreamMessage> got;
  EXPECT_EQ(client->next(got, 30s), Wait::kMessages);
  publisher.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].json, "{\"id\":7}");
}

TEST(EventStream, ASlowClientOverflowsAloneAndOthersKeepGoing) {
  EventStream stream(2, 3);
  auto slow = stream.connect();
  auto fast = stream.connect();
  stream.publish(messages(1, 3));
  std::vector<StreamMessage> got;
  ASSERT_EQ(fast->next(got, 0ms), Wait::kMessages);
  stream.publish(messages(3, 5));  // slow now lags 4 > 3 behind
  EXPECT_EQ(slow->next(got, 0ms), Wait::kOverflow);
  got.clear();
  ASSERT_EQ(fast->next(got, 0ms), Wait::kMessages);
  EXPECT_EQ(got.size(), 2u);
}

TEST(EventStream, RefusesClientsBeyondTheLimitUntilOneLeaves) {
  EventStream stream(2, 10);
  auto a = stream.connect();
  auto b = stream.connect();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(stream.connect(), nullptr);
  stream.disconnect(a);
  EXPECT_EQ(stream.clients(), 1u);
  EXPECT_NE(stream.connect(), nullptr);
}

TEST(EventStream, CloseEndsEveryStreamAndRefusesNewOnes) {
  EventStream stream(2, 10);
  auto client = stream.connect();
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    stream.close();
  });
  std::vector<StreamMessage> got;
  EXPECT_EQ(client->next(got, 30s), Wait::kClosed);
  closer.join();
  EXPECT_EQ(stream.connect(), nullptr);
}

TEST(JsonWriter, EscapesStringsAndWritesNonFiniteNumbersAsNull) {
  JsonWriter json;
  json.begin_object()
      .field("text", std::string_view("a\"b\\c\nd\te\x01"))
      .field("n", 0.1)
      .field("big", std::int64_t{9007199254740993})
      .field("nan", std::nan(""))
      .field("yes", true)
      .key("list")
      .begin_array()
      .value(1)
      .null()
      .begin_object()
      .end_object()
      .end_array()
      .end_object();
  EXPECT_EQ(
      json.str(),
      R"({"text":"a\"b\\c\nd\te\u0001","n":0.1,"big":9007199254740993,"nan":null,"yes":true,"list":[1,null,{}]})");
}

}  // namespace
}  // namespace tickguard::exporters
