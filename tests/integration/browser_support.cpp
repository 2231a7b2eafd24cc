#include "browser_support.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/text_escape.h"
#include "daemon_process.h"

extern char** environ;

namespace tickguard::testing {
namespace {

using namespace std::chrono_literals;

// The key under which W3C WebDriver returns an element reference.
constexpr std::string_view kElementKey = "element-6066-11e4-a52e-4f735466cecf";

// Headless Chromium as root (hence no sandbox), with no GPU and no reliance on a small /dev/shm.
std::string capabilities() {
  return R"json({"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":)json" +
         json_quote(kChromiumBinary) +
         R"json(,"args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage",
           "--window-size=1280,1000"]}}}})json";
}

httplib::Client driver_client(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  // Starting the browser and full-page screenshots take a few seconds on a loaded machine.
  client.set_read_timeout(60);
  client.set_write_timeout(10);
  return client;
}

// Reads a base64 screenshot reply's value into PNG bytes.
WebDriverReply screenshot_bytes(WebDriverReply reply) {
  if (!reply.ok) return reply;
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(reply.value).get_string().get(text)) {
    return {.ok = false, .value = "", .error = "screenshot is not a string: " + reply.value.substr(0, 200)};
  }
  auto png = decode_base64(text);
  if (!png) return {.ok = false, .value = "", .error = "screenshot is not base64"};
  return {.ok = true, .value = std::move(*png), .error = ""};
}

std::uint32_t read_big_endian(std::string_view bytes, std::size_t at) {
  return (std::uint32_t{static_cast<std::uint8_t>(bytes[at])} << 24) |
         (std::uint32_t{static_cast<std::uint8_t>(bytes[at + 1])} << 16) |
         (std::uint32_t{static_cast<std::uint8_t>(bytes[at + 2])} << 8) |
         std::uint32_t{static_cast<std::uint8_t>(bytes[at + 3])};
}

bool inflate_all(std::string_view compressed, std::vector<std::uint8_t>& out) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  const bool complete = rc == Z_STREAM_END && stream.avail_out == 0;
  inflateEnd(&stream);
  return complete;
}

std::uint8_t paeth(int left, int up, int up_left) {
  const int p = left + up - up_left;
  const int to_left = std::abs(p - left);
  const int to_up = std::abs(p - up);
  const int to_up_left = std::abs(p - up_left);
  if (to_left <= to_up && to_left <= to_up_left) return static_cast<std::uint8_t>(left);
  if (to_up <= to_up_left) return static_cast<std::uint8_t>(up);
  return static_cast<std::uint8_t>(up_left);
}

// Undoes the per-scanline filters in place; `data` holds height rows of (filter byte, stride bytes).
bool unfilter(std::vector<std::uint8_t>& data, std::size_t height, std::size_t stride, std::size_t pixel,
              std::string* error) {
  for (std::size_t y = 0; y < height; ++y) {
    std::uint8_t* row = &data[y * (stride + 1) + 1];
    const std::uint8_t* previous = y == 0 ? nullptr : &data[(y - 1) * (stride + 1) + 1];
    const std::uint8_t filter = row[-1];
    for (std::size_t x = 0; x < stride; ++x) {
      const int left = x >= pixel ? row[x - pixel] : 0;
      const int up = previous != nullptr ? previous[x] : 0;
      const int up_left = previous != nullptr && x >= pixel ? previous[x - pixel] : 0;
      int predictor = 0;
      switch (filter) {
        case 0:
          break;
        case 1:
          predictor = left;
          break;
        case 2:
          predictor = up;
          break;
        case 3:
          predictor = (left + up) / 2;
          break;
        case 4:
          predictor = paeth(left, up, up_left);
          break;
        default:
          *error = "unknown scanline filter " + std::to_string(filter) + " in row " + std::to_string(y);
          return false;
      }
      row[x] = static_cast<std::uint8_t>(row[x] + predictor);
    }
  }
  return true;
}

// TMPDIR for the driver and its browsers, created inside `scratch`.
std::filesystem::path scratch_tmpdir(const std::filesystem::path& scratch) {
  std::filesystem::create_directories(scratch / "tmp");
  return scratch / "tmp";
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
                           const std::vector<std::string>& environment) {
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('=') + 1);
    const bool replaced = std::any_of(environment.begin(), environment.end(),
                                      [name](const std::string& ours) { return ours.starts_with(name); });
    if (!replaced) env.push_back(*e);
  }
  for (const auto& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test died before prctl took effect
    setpgid(0, 0);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  close(null_fd);
  close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed for " + argv.front());
  setpgid(pid_, pid_);  // also here, so that the group exists before the destructor could kill it
}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  if (!reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool ChildProcess::running() {
  if (reaped_) return false;
  if (waitpid(pid_, nullptr, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

ChromeDriver::ChromeDriver(const std::filesystem::path& scratch)
    : log_(scratch / "chromedriver.log"),
      port_(free_loopback_port()),
      process_({kChromeDriverBinary, "--port=" + std::to_string(port_)}, log_,
               {"TMPDIR=" + scratch_tmpdir(scratch).string()}) {}

bool ChromeDriver::wait_until_ready(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  simdjson::dom::parser parser;
  while (std::chrono::steady_clock::now() < deadline && process_.running()) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(1);
    client.set_read_timeout(5);
    if (auto res = client.Get("/status"); res && res->status == 200) {
      bool ready = false;
      if (!parser.parse(res->body)["value"]["ready"].get(ready) && ready) return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

std::string ChromeDriver::log_text() const {
  std::ifstream in(log_);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

WebDriverSession::WebDriverSession(int driver_port) : port_(driver_port) {
  auto client = driver_client(port_);
  auto res = client.Post("/session", capabilities(), "application/json");
  if (!res) {
    error_ = "POST /session: " + httplib::to_string(res.error());
    return;
  }
  simdjson::dom::parser parser;
  std::string_view id;
  if (res->status != 200 || parser.parse(res->body)["value"]["sessionId"].get(id)) {
    error_ = "POST /session: HTTP " + std::to_string(res->status) + " " + res->body;
    return;
  }
  id_ = std::string(id);
}

WebDriverSession::~WebDriverSession() {
  if (!started()) return;
  auto client = driver_client(port_);
  client.Delete(("/session/" + id_).c_str());
}

WebDriverReply WebDriverSession::command(const std::string& method, const std::string& path,
                                         const std::string& body) {
  if (!started()) return {.ok = false, .value = "", .error = "no session: " + error_};
  auto client = driver_client(port_);
  const std::string url = "/session/" + id_ + path;
  auto res = method == "GET" ? client.Get(url.c_str()) : client.Post(url.c_str(), body, "application/json");
  if (!res)
    return {.ok = false, .value = "", .error = method + " " + path + ": " + httplib::to_string(res.error())};
  simdjson::dom::parser parser;
  simdjson::dom::element value;
  if (parser.parse(res->body)["value"].get(value)) {
    return {.ok = false,
            .value = "",
            .error = method + " " + path + ": unreadable reply " + res->body.substr(0, 500)};
  }
  if (res->status != 200) {
    return {.ok = false,
            .value = "",
            .error = method + " " + path + ": HTTP " + std::to_string(res->status) + " " +
                     res->body.substr(0, 500)};
  }
  return {.ok = true, .value = simdjson::minify(value), .error = ""};
}

WebDriverReply WebDriverSession::navigate(const std::string& url) {
  return command("POST", "/url", R"({"url":)" + json_quote(url) + "}");
}

WebDriverReply WebDriverSession::execute(const std::string& script) {
  return command("POST", "/execute/sync", R"({"script":)" + json_quote(script) + R"(,"args":[]})");
}

WebDriverReply WebDriverSession::set_window_size(int width, int height) {
  return command("POST", "/window/rect",
                 R"({"width":)" + std::to_string(width) + R"(,"height":)" + std::to_string(height) + "}");
}

WebDriverReply WebDriverSession::find_element(const std::string& selector) {
  auto reply =
      command("POST", "/element", R"({"using":"css selector","value":)" + json_quote(selector) + "}");
  if (!reply.ok) return reply;
  simdjson::dom::parser parser;
  std::string_view id;
  if (parser.parse(reply.value)[kElementKey].get(id)) {
    return {.ok = false, .value = "", .error = "no element reference in " + reply.value};
  }
  return {.ok = true, .value = std::string(id), .error = ""};
}

WebDriverReply WebDriverSession::element_screenshot(const std::string& element_id) {
  return screenshot_bytes(command("GET", "/element/" + element_id + "/screenshot", ""));
}

WebDriverReply WebDriverSession::screenshot() { return screenshot_bytes(command("GET", "/screenshot", "")); }

std::string json_quote(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    int sextet = 0;
    if (c >= 'A' && c <= 'Z') {
      sextet = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      sextet = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      sextet = c - '0' + 52;
    } else if (c == '+') {
      sextet = 62;
    } else if (c == '/') {
      sextet = 63;
    } else if (c == '=' || c == '\n' || c == '\r' || c == ' ') {
      continue;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(sextet);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

std::optional<Image> decode_png(std::string_view png, std::string* error) {
  static constexpr std::string_view kSignature = "\x89PNG\r\n\x1a\n";
  if (png.substr(0, kSignature.size()) != kSignature) {
    *error = "not a PNG (bad signature)";
    return std::nullopt;
  }
  Image image;
  int channels = 0;
  std::string compressed;
  bool ended = false;
  for (std::size_t at = kSignature.size(); !ended;) {
    if (at + 12 > png.size()) {
      *error = "truncated PNG: no IEND chunk";
      return std::nullopt;
    }
    const std::uint32_t length = read_big_endian(png, at);
    if (length > png.size() - at - 12) {
      *error = "truncated chunk at byte " + std::to_string(at);
      return std::nullopt;
    }
    const std::string_view type = png.substr(at + 4, 4);
    const std::string_view data = png.substr(at + 8, length);
    const auto* checked = reinterpret_cast<const Bytef*>(png.data() + at + 4);
    if (crc32(0, checked, length + 4) != read_big_endian(png, at + 8 + length)) {
      *error = "bad CRC in chunk " + std::string(type);
      return std::nullopt;
    }
    if (type == "IHDR") {
      if (length != 13) {
        *error = "bad IHDR length";
        return std::nullopt;
      }
      image.width = static_cast<int>(read_big_endian(data, 0));
      image.height = static_cast<int>(read_big_endian(data, 4));
      const int depth = static_cast<std::uint8_t>(data[8]);
      const int colour_type = static_cast<std::uint8_t>(data[9]);
      const int interlace = static_cast<std::uint8_t>(data[12]);
      channels = colour_type == 2 ? 3 : colour_type == 6 ? 4 : 0;
      if (depth != 8 || channels == 0 || interlace != 0 || image.width <= 0 || image.height <= 0) {
        *error = "unsupported PNG: depth " + std::to_string(depth) + ", colour type " +
                 std::to_string(colour_type) + ", interlace " + std::to_string(interlace);
        return std::nullopt;
      }
    } else if (type == "IDAT") {
      compressed.append(data);
    } else if (type == "IEND") {
      ended = true;
    }
    at += 12 + length;
  }
  if (channels == 0) {
    *error = "no IHDR chunk";
    return std::nullopt;
  }
  const auto width = static_cast<std::size_t>(image.width);
  const auto height = static_cast<std::size_t>(image.height);
  const std::size_t stride = width * static_cast<std::size_t>(channels);
  std::vector<std::uint8_t> raw(height * (stride + 1));
  if (!inflate_all(compressed, raw)) {
    *error = "IDAT does not inflate to " + std::to_string(raw.size()) + " bytes";
    return std::nullopt;
  }
  if (!unfilter(raw, height, stride, static_cast<std::size_t>(channels), error)) return std::nullopt;
  image.rgba.resize(width * height * 4);
  for (std::size_t y = 0; y < height; ++y) {
    const std::uint8_t* row = &raw[y * (stride + 1) + 1];
    for (std::size_t x = 0; x < width; ++x) {
      std::uint8_t* pixel = &image.rgba[(y * width + x) * 4];
      const std::uint8_t* source = row + x * static_cast<std::size_t>(channels);
      pixel[0] = source[0];
      pixel[1] = source[1];
      pixel[2] = source[2];
      pixel[3] = channels == 4 ? source[3] : 0xff;
    }
  }
  return image;
}

std::size_t count_pixels_near(const Image& image, Colour colour, int tolerance) {
  std::size_t count = 0;
  for (std::size_t i = 0; i + 3 < image.rgba.size(); i += 4) {
    if (std::abs(image.rgba[i] - colour.red) <= tolerance &&
        std::abs(image.rgba[i + 1] - colour.green) <= tolerance &&
        std::abs(image.rgba[i + 2] - colour.blue) <= tolerance) {
      ++count;
    }
  }
  return count;
}

}  // namespace tickguard::testing
