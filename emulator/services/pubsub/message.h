// A published Pub/Sub message as the domain keeps and delivers it: immutable, and compact
// because a backlog holds tens of thousands of them. The header, data, ordering key and
// attributes share one allocation (a 1 KiB message costs ~50 bytes beyond its contents,
// where strings, a std::map and a shared_ptr block cost ~300), counted by reference between
// the subscriptions, snapshots and topic history that hold it.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace gcpsim::services::pubsub {

using StringMap = std::map<std::string, std::string>;

struct MessageView;

// A message as an in-process publisher (a service's notifications, a test) builds it.
struct MessageSpec {
  std::string data{};
  StringMap attributes{};
  std::string ordering_key{};
  MessageView view() const;
};

class Message;

// Shared ownership of a Message (its count lives in the message itself).
class MessagePtr {
 public:
  MessagePtr() = default;
  MessagePtr(const MessagePtr& other);
  MessagePtr(MessagePtr&& other) noexcept : m_(std::exchange(other.m_, nullptr)) {}
  MessagePtr& operator=(MessagePtr other) noexcept {
    std::swap(m_, other.m_);
    return *this;
  }
  ~MessagePtr();

  const Message* get() const { return m_; }
  const Message& operator*() const { return *m_; }
  const Message* operator->() const { return m_; }
  explicit operator bool() const { return m_ != nullptr; }
  bool unique() const;  // this is the only holder
  void reset() { *this = MessagePtr(); }

 private:
  friend class Message;
  explicit MessagePtr(const Message* adopted) : m_(adopted) {}
  const Message* m_ = nullptr;
};

// A message's attributes in key order: a view into the message, valid while it is held.
class Attributes {
  struct Span {  // in the message's text, each key is followed by its value
    uint32_t key_size, value_size;
  };

 public:
  struct Attribute {
    std::string_view key, value;
  };
  class iterator {
   public:
    Attribute operator*() const { return {{text_, span_->key_size}, {text_ + span_->key_size, span_->value_size}}; }
    iterator& operator++() {
      text_ += span_->key_size + span_->value_size;
      ++span_;
      return *this;
    }
    bool operator==(const iterator& other) const { return span_ == other.span_; }

   private:
    friend class Attributes;
    iterator(const Span* span, const char* text) : span_(span), text_(text) {}
    const Span* span_;
    const char* text_;
  };

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // A linear search: messages have at most 100 attributes, most have a few.
  std::optional<std::string_view> find(std::string_view key) const;
  iterator begin() const { return iterator(spans_, text_); }
  iterator end() const { return iterator(spans_ + count_, nullptr); }
  StringMap to_map() const;

 private:
  friend class Message;
  Attributes(const Span* spans, size_t count, const char* text) : spans_(spans), count_(count), text_(text) {}
  const Span* spans_;
  size_t count_;
  const char* text_;  // the first key
};

// A message to publish, before it has an id and a publish time, viewed where its publisher
// holds it (a Publish request, a MessageSpec) for the duration of the call: the payload is
// copied once, into the stored Message.
struct MessageView {
  std::string_view data{};
  std::vector<Attributes::Attribute> attributes{};  // in key order, each key once
  std::string_view ordering_key{};
  size_t size() const;  // data + attribute keys and values + ordering key, in bytes
};

class Message {
 public:
  // The only way to make one: copies the view into a single allocation.
  static MessagePtr create(const MessageView& m, uint64_t number, core::Time publish_time);
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  std::string_view data() const { return {text(), data_size_}; }
  std::string_view ordering_key() const { return {text() + data_size_, ordering_key_size_}; }
  Attributes attributes() const { return Attributes(spans(), attribute_count_, text() + data_size_ + ordering_key_size_); }
  // The message id: the emulator's ids are sequential numbers (publish order).
  uint64_t number() const { return number_; }
  std::string id() const { return std::to_string(number_); }
  core::Time publish_time() const { return publish_time_; }
  size_t size() const;  // as MessageView::size

 private:
  friend class MessagePtr;
  Message(uint64_t number, core::Time publish_time, uint32_t data_size, uint32_t ordering_key_size,
          uint32_t attribute_count)
      : attribute_count_(attribute_count),
        number_(number),
        publish_time_(publish_time),
        data_size_(data_size),
        ordering_key_size_(ordering_key_size) {}
  ~Message() = default;
  // The attribute table follows the header; the text (data, ordering key, then each
  // attribute's key and value) follows the table.
  const Attributes::Span* spans() const { return reinterpret_cast<const Attributes::Span*>(this + 1); }
  const char* text() const { return reinterpret_cast<const char*>(spans() + attribute_count_); }
  void release() const;

  mutable std::atomic<uint32_t> refs_{1};
  uint32_t attribute_count_;
  uint64_t number_;
  core::Time publish_time_;
  uint32_t data_size_;
  uint32_t ordering_key_size_;
};

}  // namespace gcpsim::services::pubsub
