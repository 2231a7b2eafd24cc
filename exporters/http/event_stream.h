// EventStream: fans new anomaly records out to the Server-Sent Events clients of /api/v1/stream.
//
// The journal's writer thread publishes each committed batch once (rendered to JSON once); every
// connected client has a bounded buffer. A client that falls more than `client_buffer` events
// behind is disconnected rather than slowing anyone down: it reconnects with Last-Event-ID and
// reads what it missed from the journal, so nothing is lost.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tickguard::exporters {

struct StreamMessage {
  std::int64_t id = 0;
  std::string json;  // one anomaly record
};

class EventStream {
 public:
  EventStream(std::size_t max_clients, std::size_t client_buffer);

  class Client {
   public:
    enum class Wait { kMessages, kTimeout, kClosed, kOverflow };
    // Waits up to `timeout` for messages and moves them into `out`.
    Wait next(std::vector<StreamMessage>& out, std::chrono::milliseconds timeout);

   private:
    friend class EventStream;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<StreamMessage> pending_;
    bool closed_ = false;
    bool overflow_ = false;
  };

  // Registers a client; nullptr when `max_clients` are connected or the stream is closed.
  std::shared_ptr<Client> connect();
  void disconnect(const std::shared_ptr<Client>& client);
  std::size_t clients() const;

  // Hands messages to every client. Any thread.
  void publish(const std::vector<StreamMessage>& messages);
  // Ends every stream (on shutdown) and refuses new clients.
  void close();

 private:
  const std::size_t max_clients_;
  const std::size_t client_buffer_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<Client>> clients_;
  bool closed_ = false;
};

}  // namespace tickguard::exporters
