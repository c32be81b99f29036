// The compact stored Pub/Sub message: layout, reference counting, attribute lookup.
#include "services/pubsub/message.h"

#include <cstring>
#include <new>

namespace gcpsim::services::pubsub {

MessageView MessageSpec::view() const {
  MessageView v{data, {}, ordering_key};
  v.attributes.reserve(attributes.size());
  for (const auto& [key, value] : attributes) v.attributes.push_back({key, value});
  return v;
}

size_t MessageView::size() const {
  size_t n = data.size() + ordering_key.size();
  for (const auto& a : attributes) n += a.key.size() + a.value.size();
  return n;
}

MessagePtr::MessagePtr(const MessagePtr& other) : m_(other.m_) {
  if (m_) m_->refs_.fetch_add(1, std::memory_order_relaxed);
}

MessagePtr::~MessagePtr() {
  if (m_) m_->release();
}

bool MessagePtr::unique() const { return m_ && m_->refs_.load(std::memory_order_acquire) == 1; }

std::optional<std::string_view> Attributes::find(std::string_view key) const {
  for (Attribute a : *this) {
    if (a.key == key) return a.value;
  }
  return std::nullopt;
}

StringMap Attributes::to_map() const {
  StringMap out;
  for (Attribute a : *this) out.emplace_hint(out.end(), a.key, a.value);
  return out;
}

MessagePtr Message::create(const MessageView& spec, uint64_t number, core::Time publish_time) {
  static_assert(sizeof(Message) % alignof(Attributes::Span) == 0, "the attribute table follows the header");
  size_t count = spec.attributes.size();
  size_t bytes = sizeof(Message) + count * sizeof(Attributes::Span) + spec.size();
  void* block = ::operator new(bytes);
  auto* m = new (block) Message(number, publish_time, static_cast<uint32_t>(spec.data.size()),
                                static_cast<uint32_t>(spec.ordering_key.size()), static_cast<uint32_t>(count));
  auto* spans = reinterpret_cast<Attributes::Span*>(m + 1);
  char* text = reinterpret_cast<char*>(spans + count);
  char* out = text;
  auto put = [&out](std::string_view s) {
    if (!s.empty()) std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  put(spec.data);
  put(spec.ordering_key);
  for (const auto& [k, v] : spec.attributes) {
    *spans++ = Attributes::Span{static_cast<uint32_t>(k.size()), static_cast<uint32_t>(v.size())};
    put(k);
    put(v);
  }
  return MessagePtr(m);
}

size_t Message::size() const {
  size_t n = size_t{data_size_} + ordering_key_size_;
  for (Attributes::Attribute a : attributes()) n += a.key.size() + a.value.size();
  return n;
}

void Message::release() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  this->~Message();
  ::operator delete(const_cast<Message*>(this));
}

}  // namespace gcpsim::services::pubsub
