#include "replay/venue_messages.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "feeds/binance/binance_parse.h"
#include "feeds/bybit/bybit_book.h"
#include "feeds/bybit/bybit_parse.h"
#include "feeds/coinbase/coinbase_book.h"
#include "feeds/coinbase/coinbase_parse.h"
#include "feeds/common/decimal.h"
#include "feeds/kraken/kraken_book.h"
#include "feeds/kraken/kraken_parse.h"
#include "feeds/okx/okx_book.h"
#include "feeds/okx/okx_parse.h"

namespace tickguard::replay {
namespace {

namespace od = simdjson::ondemand;

// Quote assets recognised at the end of a Binance or Bybit symbol; the longest match wins.
constexpr std::string_view kQuoteSuffixes[] = {
    "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "BIDR", "IDRT", "EURI", "USD", "DAI", "BTC",
    "ETH",   "BNB",  "EUR",  "GBP",  "TRY",  "BRL",  "AUD",  "JPY",  "RUB",  "UAH", "ZAR", "PLN",
    "RON",   "ARS",  "MXN",  "COP",  "NGN",  "XRP",  "TRX",  "DOGE", "SOL",  "DOT", "PAX", "VAI"};

std::string split_suffix(std::string_view native) {
  std::string_view best;
  for (const std::string_view quote : kQuoteSuffixes) {
    if (native.size() > quote.size() && native.ends_with(quote) && quote.size() > best.size()) best = quote;
  }
  if (best.empty()) return {};
  return std::string(native.substr(0, native.size() - best.size())) + "/" + std::string(best);
}

std::string split_dash(std::string_view native) {
  const std::size_t dash = native.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == native.size() ||
      native.find('-', dash + 1) != std::string_view::npos) {
    return {};
  }
  return std::string(native.substr(0, dash)) + "/" + std::string(native.substr(dash + 1));
}

// Native -> unified, from the known symbols first, then the venue's rule. Memoized.
class SymbolMap {
 public:
  using Rule = std::string (*)(std::string_view native);
  using Native = std::vector<std::string> (*)(std::string_view unified);
  SymbolMap(const std::vector<std::string>& known, Native native_forms, Rule rule) : rule_(rule) {
    for (const auto& unified : known) {
      for (auto& native : native_forms(unified)) cache_.emplace(std::move(native), unified);
    }
  }
  // The unified symbol, or empty when the rule cannot split it.
  const std::string& unified(std::string_view native) {
    auto it = cache_.find(native);
    if (it == cache_.end()) it = cache_.emplace(std::string(native), rule_(native)).first;
    return it->second;
  }

 private:
  Rule rule_;
  std::map<std::string, std::string, std::less<>> cache_;
};

std::string without_slash(std::string_view unified) {
  std::string out(unified);
  out.erase(std::remove(out.begin(), out.end(), '/'), out.end());
  return out;
}

std::string with_dash(std::string_view unified) {
  std::string out(unified);
  std::replace(out.begin(), out.end(), '/', '-');
  return out;
}

Status unmapped(std::string_view venue, std::string_view native) {
  return Status::InvalidArgument("cannot map " + std::string(venue) + " symbol \"" + std::string(native) +
                                 "\" to BASE/QUOTE: list it in a [[feed]] of exchange \"" +
                                 std::string(venue) + "\" in --config");
}

Status malformed(std::string_view reason) {
  return Status::InvalidArgument("malformed message: " + std::string(reason));
}

class BinanceDecoder final : public VenueDecoder {
 public:
  explicit BinanceDecoder(const std::vector<std::string>& known)
      : symbols_(
            known, [](std::string_view u) { return std::vector<std::string>{without_slash(u)}; },
            split_suffix) {}

  Status decode(std::string_view line, std::vector<VenueEvent>& out) override {
    out.clear();
    const feeds::binance::StreamMessage& message = parser_.parse_stream(line);
    using feeds::binance::MessageKind;
    switch (message.kind) {
      case MessageKind::kTrade:
      case MessageKind::kTicker: {
        const std::string& symbol = symbols_.unified(message.symbol);
        if (symbol.empty()) return unmapped("binance", message.symbol);
        if (message.kind == MessageKind::kTrade) {
          out.push_back({symbol, message.trade});
        } else {
          out.push_back({symbol, message.ticker});
        }
        return Status::Ok();
      }
      case MessageKind::kError:
        return malformed(message.reason);
      case MessageKind::kDepthUpdate:  // needs a REST snapshot to apply
      case MessageKind::kKline:
      case MessageKind::kIgnored:
      case MessageKind::kServerShutdown:
      case MessageKind::kVenueError:
        return Status::Ok();
    }
    return Status::Ok();
  }

 private:
  feeds::binance::BinanceParser parser_;
  SymbolMap symbols_;
};

class CoinbaseDecoder final : public VenueDecoder {
 public:
  explicit CoinbaseDecoder(const std::vector<std::string>& known)
      : symbols_(
            known, [](std::string_view u) { return std::vector<std::string>{with_dash(u)}; }, split_dash) {}

  Status decode(std::string_view line, std::vector<VenueEvent>& out) override {
    out.clear();
    using feeds::coinbase::MessageKind;
    if (const auto error = parser_.parse(line, message_); error != feeds::coinbase::ParseError::kNone) {
      return malformed(feeds::coinbase::to_string(error));
    }
    const bool market = message_.kind == MessageKind::kMatch || message_.kind == MessageKind::kTicker ||
                        message_.kind == MessageKind::kSnapshot || message_.kind == MessageKind::kL2Update;
    if (!market) return Status::Ok();  // heartbeats, subscriptions, errors, unknown types
    const std::string& symbol = symbols_.unified(message_.product_id);
    if (symbol.empty()) return Status::Ok();  // not a BASE-QUOTE product
    switch (message_.kind) {
      case MessageKind::kMatch:
        // As the connector: last_match repeats the latest trade from before the subscription.
        if (!message_.match.last_match) out.push_back({symbol, message_.match.trade});
        break;
      case MessageKind::kTicker:
        out.push_back({symbol, feeds::coinbase::to_ticker(message_.ticker, 0, Timestamp{})});
        break;
      default: {
        auto& book = books_.try_emplace(std::string(message_.product_id)).first->second;
        if (book.apply(message_) != feeds::coinbase::BookStatus::kApplied) break;
        BookSnapshot snapshot;
        book.fill(snapshot);
        out.push_back({symbol, snapshot});
      }
    }
    return Status::Ok();
  }

 private:
  feeds::coinbase::CoinbaseParser parser_;
  feeds::coinbase::WsMessage message_;
  SymbolMap symbols_;
  std::map<std::string, feeds::coinbase::CoinbaseBookSync, std::less<>> books_;
};

// Kraken: WebSocket v2 frames (objects with "channel") go through the connector's v2 parser; the
// recorded v1 frames (arrays) through its v1 book parser, or, for v1 trade and ticker frames, which
// that parser does not read, through the small decoder below.
class KrakenDecoder final : public VenueDecoder {
 public:
  explicit KrakenDecoder(const std::vector<std::string>& known)
      : symbols_(
            known,
            [](std::string_view u) {
              return std::vector<std::string>{std::string(u), feeds::kraken::v1_wsname(u)};
            },
            [](std::string_view native) { return feeds::kraken::unified_symbol(native); }),
        buffer_(1024) {}

  Status decode(std::string_view line, std::vector<VenueEvent>& out) override {
    out.clear();
    std::string_view channel;
    if (Status s = v1_channel(line, channel); !s.ok()) return s;
    using feeds::kraken::KrakenMessageKind;
    if (!channel.empty() && (channel == "trade" || channel == "ticker")) return decode_v1(line, channel, out);
    const KrakenMessageKind kind =
        channel.empty() && !is_v1_event(line) ? parser_.parse(line) : parser_.parse_v1_book(line);
    switch (kind) {
      case KrakenMessageKind::kInvalid:
        return malformed(feeds::kraken::parse_error_name(parser_.error()));
      case KrakenMessageKind::kTrade:
        if (parser_.snapshot()) return Status::Ok();  // past trades, as the connector
        for (const auto& trade : parser_.trades()) {
          const std::string& symbol = symbols_.unified(trade.symbol);
          if (symbol.empty()) return unmapped("kraken", trade.symbol);
          out.push_back({symbol, feeds::kraken::to_trade(trade, 0, trade.exchange_time)});
        }
        return Status::Ok();
      case KrakenMessageKind::kTicker:
        for (const auto& ticker : parser_.tickers()) {
          const std::string& symbol = symbols_.unified(ticker.symbol);
          if (symbol.empty()) return unmapped("kraken", ticker.symbol);
          out.push_back({symbol, feeds::kraken::to_ticker(ticker, 0, Timestamp{})});
        }
        return Status::Ok();
      case KrakenMessageKind::kBookSnapshot:
      case KrakenMessageKind::kBookUpdate:
        for (const auto& message : parser_.books()) {
          const std::string& symbol = symbols_.unified(message.symbol);
          if (symbol.empty()) return unmapped("kraken", message.symbol);
          auto it = books_.find(message.symbol);
          if (it == books_.end()) {
            feeds::kraken::KrakenBookOptions options;
            options.depth = book_depth(channel);
            it = books_.emplace(std::string(message.symbol), feeds::kraken::KrakenBookSync(options)).first;
          }
          if (it->second.apply(message) != feeds::kraken::KrakenBookStatus::kApplied) continue;
          BookSnapshot snapshot;
          it->second.fill(snapshot);
          out.push_back({symbol, snapshot});
        }
        return Status::Ok();
      default:
        return Status::Ok();  // heartbeats, status, acks, errors, other channels
    }
  }

 private:
  static bool is_v1_event(std::string_view line) {
    // v1 events ({"event":"heartbeat"}) versus v2 frames ({"channel":..} / {"method":..}).
    return line.find("\"event\"") != std::string_view::npos &&
           line.find("\"channel\"") == std::string_view::npos &&
           line.find("\"method\"") == std::string_view::npos;
  }

  // "1618678142.557535": Unix seconds with up to 9 decimals, exactly (a double would round them).
  static std::optional<Timestamp> v1_time(std::string_view text) {
    const std::size_t dot = text.find('.');
    const auto seconds = feeds::parse_unsigned(text.substr(0, dot));
    std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (!seconds || fraction.size() > 9) return std::nullopt;
    std::uint64_t nanoseconds = 0;
    for (std::size_t i = 0; i < 9; ++i) {
      const char c = i < fraction.size() ? fraction[i] : '0';
      if (c < '0' || c > '9') return std::nullopt;
      nanoseconds = nanoseconds * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return Timestamp(std::chrono::seconds(*seconds) + std::chrono::nanoseconds(nanoseconds));
  }

  static std::size_t book_depth(std::string_view channel) {
    if (channel.starts_with("book-")) {
      if (const auto depth = feeds::parse_unsigned(channel.substr(5))) return *depth;
    }
    return 1000;  // the most the venue sends: never truncate below what the stream maintains
  }

  simdjson::error_code load(std::string_view line, od::document& doc) {
    if (buffer_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      buffer_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    }
    if (!line.empty()) std::memcpy(buffer_.data(), line.data(), line.size());
    std::memset(buffer_.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    return json_.iterate(buffer_.data(), line.size(), buffer_.size()).get(doc);
  }

  // For a v1 array frame [id, payload..., "channel", "pair"]: its channel (and pair_); empty for
  // anything else. Copies them out, since the next parse reuses the buffer.
  Status v1_channel(std::string_view line, std::string_view& channel) {
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '[') return Status::Ok();
    od::document doc;
    od::array root;
    if (load(line, doc) || doc.get_array().get(root)) return malformed("not JSON");
    std::string_view last, before_last;
    for (auto element : root) {
      od::json_type type;
      if (element.type().get(type)) return malformed("not JSON");
      if (type == od::json_type::string) {
        std::string_view text;
        if (element.get_string().get(text)) return malformed("not JSON");
        before_last = last;
        last = text;
      }
    }
    channel_.assign(before_last);
    pair_.assign(last);
    channel = channel_;
    if (channel.empty() || pair_.empty()) return malformed("a v1 frame without channel name and pair");
    return Status::Ok();
  }

  // v1 trade: [id, [[price, volume, time, side, type, misc], ...], "trade", pair];
  // v1 ticker: [id, {"a":[price, whole, volume], "b":[...], ...}, "ticker", pair].
  Status decode_v1(std::string_view line, std::string_view channel, std::vector<VenueEvent>& out) {
    const std::string& symbol = symbols_.unified(pair_);
    if (symbol.empty()) return unmapped("kraken", pair_);
    od::document doc;
    od::array root;
    if (load(line, doc) || doc.get_array().get(root)) return malformed("not JSON");
    std::size_t index = 0;
    for (auto element : root) {
      if (index++ != 1) continue;
      if (channel == "trade") {
        od::array trades;
        if (element.get_array().get(trades)) return malformed("v1 trade: data is not an array");
        for (auto entry : trades) {
          std::vector<std::string_view> fields;
          od::array values;
          if (entry.get_array().get(values)) return malformed("v1 trade: entry is not an array");
          for (auto value : values) {
            std::string_view text;
            if (value.get_string().get(text)) return malformed("v1 trade: field is not a string");
            fields.push_back(text);
          }
          if (fields.size() < 4) return malformed("v1 trade: fewer than 4 fields");
          const auto price = feeds::parse_decimal(fields[0]);
          const auto volume = feeds::parse_decimal(fields[1]);
          const auto time = v1_time(fields[2]);
          if (!price || !volume || !time) return malformed("v1 trade: bad number");
          Trade trade;
          trade.price = *price;
          trade.quantity = *volume;
          trade.exchange_time = *time;
          trade.side = fields[3] == "b" ? Side::kBuy : fields[3] == "s" ? Side::kSell : Side::kUnknown;
          out.push_back({symbol, trade});
        }
      } else {
        od::object sides;
        if (element.get_object().get(sides)) return malformed("v1 ticker: data is not an object");
        Ticker ticker;
        for (auto field : sides) {
          std::string_view key;
          if (field.unescaped_key().get(key)) return malformed("not JSON");
          if (key != "a" && key != "b") continue;
          od::array values;
          if (field.value().get_array().get(values)) return malformed("v1 ticker: a/b is not an array");
          std::string_view price_text, size_text;
          std::size_t i = 0;
          for (auto value : values) {
            if (i == 0 && value.get_string().get(price_text)) return malformed("v1 ticker: bad price");
            if (i == 2 && value.get_string().get(size_text)) return malformed("v1 ticker: bad volume");
            ++i;
          }
          const auto price = feeds::parse_decimal(price_text);
          const auto size = feeds::parse_decimal(size_text);
          if (!price || !size) return malformed("v1 ticker: bad number");
          (key == "a" ? ticker.ask_price : ticker.bid_price) = *price;
          (key == "a" ? ticker.ask_size : ticker.bid_size) = *size;
        }
        if (ticker.bid_price <= 0 || ticker.ask_price <= 0) return malformed("v1 ticker: no a/b");
        out.push_back({symbol, ticker});
      }
    }
    return Status::Ok();
  }

  feeds::kraken::KrakenParser parser_;
  SymbolMap symbols_;
  std::map<std::string, feeds::kraken::KrakenBookSync, std::less<>> books_;
  od::parser json_;
  std::vector<char> buffer_;
  std::string channel_, pair_;
};

class OkxDecoder final : public VenueDecoder {
 public:
  explicit OkxDecoder(const std::vector<std::string>& known)
      : symbols_(
            known, [](std::string_view u) { return std::vector<std::string>{with_dash(u)}; }, split_dash) {}

  Status decode(std::string_view line, std::vector<VenueEvent>& out) override {
    out.clear();
    using feeds::okx::FrameKind;
    const feeds::okx::OkxFrame& frame = parser_.parse(line);
    if (frame.kind == FrameKind::kMalformed) return malformed(frame.error);
    if (frame.kind != FrameKind::kTrades && frame.kind != FrameKind::kTickers &&
        frame.kind != FrameKind::kBook) {
      return Status::Ok();  // pong, events, venue errors, other channels
    }
    const std::string& symbol = symbols_.unified(frame.inst_id);
    if (symbol.empty()) return Status::Ok();  // futures and swaps
    if (frame.kind == FrameKind::kTrades) {
      for (const Trade& trade : frame.trades) out.push_back({symbol, trade});
    } else if (frame.kind == FrameKind::kTickers) {
      for (const auto& ticker : frame.tickers) out.push_back({symbol, ticker.ticker});
    } else {
      auto& book = books_.try_emplace(std::string(frame.inst_id)).first->second;
      const auto result = book.apply(frame.book);
      if (feeds::okx::needs_resync(result)) {
        book.reset();  // the connector resubscribes; a recording simply waits for the next snapshot
      } else if (result != feeds::okx::BookSyncResult::kNotSynced) {
        BookSnapshot snapshot;
        book.fill_snapshot(snapshot);
        out.push_back({symbol, snapshot});
      }
    }
    return Status::Ok();
  }

 private:
  feeds::okx::OkxParser parser_;
  SymbolMap symbols_;
  std::map<std::string, feeds::okx::OkxBookSync, std::less<>> books_;
};

class BybitDecoder final : public VenueDecoder {
 public:
  explicit BybitDecoder(const std::vector<std::string>& known)
      : symbols_(
            known, [](std::string_view u) { return std::vector<std::string>{without_slash(u)}; },
            split_suffix) {}

  Status decode(std::string_view line, std::vector<VenueEvent>& out) override {
    out.clear();
    using feeds::bybit::MessageKind;
    using feeds::bybit::ParseStatus;
    const ParseStatus status = parser_.parse_ws(line, message_);
    if (status == ParseStatus::kUnsupportedTopic || status == ParseStatus::kVenueError) return Status::Ok();
    if (status != ParseStatus::kOk) return malformed(feeds::bybit::to_string(status));
    if (message_.kind != MessageKind::kTrades && message_.kind != MessageKind::kTicker &&
        message_.kind != MessageKind::kBookSnapshot && message_.kind != MessageKind::kBookDelta) {
      return Status::Ok();  // acks, pongs, op errors
    }
    const std::string& symbol = symbols_.unified(message_.symbol);
    if (symbol.empty()) return unmapped("bybit", message_.symbol);
    if (message_.kind == MessageKind::kTrades) {
      for (const Trade& trade : message_.trades) out.push_back({symbol, trade});
    } else if (message_.kind == MessageKind::kTicker) {
      Ticker ticker;
      if (feeds::bybit::to_ticker(message_.ticker, 0, Timestamp{}, ticker)) out.push_back({symbol, ticker});
    } else {
      auto& book = books_.try_emplace(message_.symbol).first->second;
      const auto result = book.apply(message_.book);
      if (feeds::bybit::needs_resync(result)) {
        book.reset();
      } else if (result != feeds::bybit::BookSyncResult::kStale) {
        BookSnapshot snapshot;
        if (book.fill(snapshot)) out.push_back({symbol, snapshot});
      }
    }
    return Status::Ok();
  }

 private:
  feeds::bybit::BybitParser parser_;
  feeds::bybit::BybitMessage message_;
  SymbolMap symbols_;
  std::map<std::string, feeds::bybit::BybitBookSync, std::less<>> books_;
};

}  // namespace

std::unique_ptr<VenueDecoder> make_venue_decoder(std::string_view venue,
                                                 const std::vector<std::string>& known_symbols) {
  if (venue == "binance") return std::make_unique<BinanceDecoder>(known_symbols);
  if (venue == "coinbase") return std::make_unique<CoinbaseDecoder>(known_symbols);
  if (venue == "kraken") return std::make_unique<KrakenDecoder>(known_symbols);
  if (venue == "okx") return std::make_unique<OkxDecoder>(known_symbols);
  if (venue == "bybit") return std::make_unique<BybitDecoder>(known_symbols);
  return nullptr;
}

}  // namespace tickguard::replay
