// Test harness for driving a real headless Chromium: chromedriver as a child process, a small W3C
// WebDriver client over cpp-httplib, and a PNG decoder to look at the screenshots it takes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tickguard::testing {

// Where Debian's chromium and chromium-driver packages put the browser and its driver.
inline constexpr const char* kChromiumBinary = "/usr/bin/chromium";
inline constexpr const char* kChromeDriverBinary = "/usr/bin/chromedriver";

// A child process in its own process group. The destructor SIGKILLs the whole group (chromedriver's
// browsers included) and reaps the child, so a failed assertion never leaves a browser behind; the
// child also dies with the test process (PR_SET_PDEATHSIG).
class ChildProcess {
 public:
  // Starts argv[0] (an absolute path) with stdin from /dev/null, stdout/stderr appended to `log`, and
  // `environment` entries ("NAME=value") replacing ours. Throws std::runtime_error if it cannot fork.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it if it has).
  bool running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// chromedriver listening on a free 127.0.0.1 port. Its log and everything it and Chromium write to
// TMPDIR (profiles, shared memory files) stay in `scratch`, which the caller removes.
class ChromeDriver {
 public:
  explicit ChromeDriver(const std::filesystem::path& scratch);
  int port() const { return port_; }
  // Polls GET /status until it says ready (true), the driver exits or `timeout` passes (false).
  bool wait_until_ready(std::chrono::seconds timeout);
  std::string log_text() const;

 private:
  std::filesystem::path log_;
  int port_ = 0;
  ChildProcess process_;
};

// What one WebDriver command answered.
struct WebDriverReply {
  bool ok = false;
  std::string value;  // per command, see WebDriverSession
  std::string error;  // on failure: the transport error, or the HTTP status with WebDriver's error
};

// One browser session; the destructor deletes it (which closes the browser).
class WebDriverSession {
 public:
  // Starts headless Chromium through the driver on `driver_port`; check started() and error().
  explicit WebDriverSession(int driver_port);
  ~WebDriverSession();
  WebDriverSession(const WebDriverSession&) = delete;
  WebDriverSession& operator=(const WebDriverSession&) = delete;

  bool started() const { return !id_.empty(); }
  const std::string& error() const { return error_; }

  // Loads `url` and waits for the page's load event.
  WebDriverReply navigate(const std::string& url);
  // Runs `script` (a function body) in the page; `value` is the JSON of what it returned.
  WebDriverReply execute(const std::string& script);
  // Resizes the browser window (outer size, in CSS pixels).
  WebDriverReply set_window_size(int width, int height);
  // The first element matching the CSS `selector`; `value` is its WebDriver element id.
  WebDriverReply find_element(const std::string& selector);
  // PNG of the element (scrolled into view, cut at the viewport's edges); `value` holds the PNG bytes.
  WebDriverReply element_screenshot(const std::string& element_id);
  // PNG of the viewport; `value` holds the PNG bytes.
  WebDriverReply screenshot();

 private:
  WebDriverReply command(const std::string& method, const std::string& path, const std::string& body);

  int port_ = 0;
  std::string id_;
  std::string error_;
};

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);
// Standard base64 (padding optional, whitespace skipped); nullopt on any other character.
std::optional<std::string> decode_base64(std::string_view text);

// A decoded image, 8 bits a channel, alpha opaque where the PNG has none.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;  // row-major, 4 bytes a pixel
};

// Decodes a non-interlaced 8-bit RGB or RGBA PNG (the kind Chromium's screenshots are); nullopt
// with `error` set for anything else or a corrupt file.
std::optional<Image> decode_png(std::string_view png, std::string* error);

struct Colour {
  std::uint8_t red = 0;
  std::uint8_t green = 0;
  std::uint8_t blue = 0;
};
// Pixels whose red, green and blue are each within `tolerance` of `colour`.
std::size_t count_pixels_near(const Image& image, Colour colour, int tolerance);

}  // namespace tickguard::testing
