#include "exporters/http/event_stream.h"

#include <algorithm>

namespace tickguard::exporters {

EventStream::EventStream(std::size_t max_clients, std::size_t client_buffer)
    : max_clients_(max_clients), client_buffer_(client_buffer) {}

EventStream::Client::Wait EventStream::Client::next(std::vector<StreamMessage>& out,
                                                    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return closed_ || overflow_ || !pending_.empty(); });
  if (closed_) return Wait::kClosed;
  if (overflow_) return Wait::kOverflow;
  if (pending_.empty()) return Wait::kTimeout;
  out.insert(out.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  pending_.clear();
  return Wait::kMessages;
}

std::shared_ptr<EventStream::Client> EventStream::connect() {
  std::lock_guard lock(mutex_);
  if (closed_ || clients_.size() >= max_clients_) return nullptr;
  clients_.push_back(std::make_shared<Client>());
  return clients_.back();
}

void EventStream::disconnect(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  clients_.erase(std::remove(clients_.begin(), clients_.end(), client), clients_.end());
}

std::size_t EventStream::clients() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

void EventStream::publish(const std::vector<StreamMessage>& messages) {
  if (messages.empty()) return;
  std::lock_guard lock(mutex_);
  for (const auto& client : clients_) {
    {
      std::lock_guard client_lock(client->mutex_);
      if (client->pending_.size() + messages.size() > client_buffer_) {
        client->overflow_ = true;
        client->pending_.clear();
      } else {
        client->pending_.insert(client->pending_.end(), messages.begin(), messages.end());
      }
    }
    client->ready_.notify_all();
  }
}

void EventStream::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (const auto& client : clients_) {
    {
      std::lock_guard client_lock(client->mutex_);
      client->closed_ = true;
    }
    client->ready_.notify_all();
  }
}

}  // namespace tickguard::exporters
