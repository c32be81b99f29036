// Pub/Sub domain: a subscription's entries in seq order (see Domain::Entries).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "services/pubsub/domain_state.h"

namespace gcpsim::services::pubsub {

Domain::Entry* Domain::Entries::find(uint64_t seq) {
  auto it = std::lower_bound(items_.begin(), items_.end(), seq, [](const Entry& e, uint64_t s) { return e.seq < s; });
  return it != items_.end() && it->seq == seq && it->msg ? &*it : nullptr;
}

Domain::Entry& Domain::Entries::at(uint64_t seq) {
  Entry* e = find(seq);
  if (!e) throw std::out_of_range("pubsub: no entry for seq " + std::to_string(seq));
  return *e;
}

Domain::Entry* Domain::Entries::insert(const MessagePtr& m) {
  uint64_t seq = m->number();
  // Published messages arrive in seq order; only Seek brings older ones back.
  if (items_.empty() || items_.back().seq < seq) {
    ++live_;
    return &items_.emplace_back(Entry{.msg = m, .seq = seq});
  }
  if (find(seq)) return nullptr;
  insert(std::vector<MessagePtr>{m});
  return find(seq);
}

void Domain::Entries::insert(const std::vector<MessagePtr>& messages) {
  auto fresh = [](const MessagePtr& m) { return Entry{.msg = m, .seq = m->number()}; };
  std::deque<Entry> merged;
  auto next = messages.begin();
  for (Entry& e : items_) {
    if (!e.msg) continue;
    for (; next != messages.end() && (*next)->number() < e.seq; ++next) merged.push_back(fresh(*next));
    if (next != messages.end() && (*next)->number() == e.seq) ++next;  // it has an entry already
    merged.push_back(std::move(e));
  }
  for (; next != messages.end(); ++next) merged.push_back(fresh(*next));
  items_ = std::move(merged);
  live_ = items_.size();
}

void Domain::Entries::erase(Entry& e) {
  uint64_t seq = e.seq;
  e = Entry{.seq = seq};
  --live_;
}

void Domain::Entries::clear() {
  items_.clear();
  live_ = 0;
}

Domain::Entry* Domain::Entries::front() {
  while (!items_.empty() && !items_.front().msg) items_.pop_front();
  return items_.empty() ? nullptr : &items_.front();
}

void Domain::Entries::compact() {
  front();
  if (items_.size() - live_ <= live_) return;
  std::erase_if(items_, [](const Entry& e) { return !e.msg; });
  items_.shrink_to_fit();
}

}  // namespace gcpsim::services::pubsub
