// Status: the result of an operation that can fail, as a value (no exceptions on hot paths).
#pragma once

#include <string>
#include <utility>

namespace tickguard {

class Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kUnavailable, kInternal };

  // A default-constructed Status is OK.
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
  static Status Unavailable(std::string message) { return Status(Code::kUnavailable, std::move(message)); }
  static Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Human-readable reason; empty when ok().
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace tickguard
