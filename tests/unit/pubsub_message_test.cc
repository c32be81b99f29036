// The compact stored Pub/Sub message gives back exactly what was published.
#include <catch2/catch.hpp>

#include "core/time.h"
#include "services/pubsub/message.h"

namespace pubsub_message_test {  // this file's own scope in a unity batch (tests/CMakeLists.txt)

using namespace gcpsim;
using namespace gcpsim::services::pubsub;

namespace {

StringMap read_back(const Attributes& attributes) {
  StringMap out;
  for (auto [k, v] : attributes) out.emplace(k, v);
  return out;
}

}  // namespace

TEST_CASE("a stored message round-trips data, attributes, ordering key, id and publish time") {
  core::Time t = *core::parse_rfc3339("2026-01-01T00:00:05.123456789Z");
  MessageSpec spec;
  spec.data = std::string("\0bin\xff\0ary", 9);
  spec.ordering_key = "customer-7";
  for (int i = 0; i < 100; ++i) spec.attributes["key-" + std::to_string(i)] = std::string(i, 'v');
  spec.attributes[std::string("nul\0key", 7)] = std::string("\0", 1);
  MessagePtr m = Message::create(spec.view(), 18446744073709551615ull, t);
  CHECK(m->data() == spec.data);
  CHECK(m->ordering_key() == "customer-7");
  CHECK(m->id() == "18446744073709551615");
  CHECK(m->number() == 18446744073709551615ull);
  CHECK(m->publish_time() == t);
  CHECK(m->size() == spec.view().size());
  CHECK(m->attributes().size() == 101);
  CHECK(read_back(m->attributes()) == spec.attributes);
  CHECK(m->attributes().to_map() == spec.attributes);
  CHECK(m->attributes().find("key-0") == std::string_view());
  CHECK(m->attributes().find("key-99") == std::string(99, 'v'));
  CHECK(m->attributes().find(std::string_view("nul\0key", 7)) == std::string_view("\0", 1));
  CHECK_FALSE(m->attributes().find("key-100"));
  CHECK_FALSE(m->attributes().find("nul"));
  CHECK_FALSE(m->attributes().find(""));
}

TEST_CASE("a stored message may have no data, no attributes or no ordering key") {
  MessagePtr empty = Message::create(MessageSpec{}.view(), 1, {});
  CHECK(empty->data().empty());
  CHECK(empty->ordering_key().empty());
  CHECK(empty->attributes().empty());
  CHECK(empty->attributes().begin() == empty->attributes().end());
  CHECK_FALSE(empty->attributes().find("k"));
  CHECK(empty->size() == 0);

  MessagePtr only_attribute = Message::create(MessageSpec{"", {{"k", ""}}, ""}.view(), 2, {});
  CHECK(only_attribute->data().empty());
  CHECK(only_attribute->attributes().find("k") == std::string_view());
  CHECK(only_attribute->size() == 1);
}

TEST_CASE("a stored message lives as long as one holder does") {
  MessagePtr a = Message::create(MessageSpec{"payload", {}, ""}.view(), 3, {});
  CHECK(a.unique());
  MessagePtr b = a;
  CHECK_FALSE(a.unique());
  CHECK(b.get() == a.get());
  a.reset();
  CHECK_FALSE(a);
  CHECK(b.unique());
  MessagePtr c = std::move(b);
  CHECK_FALSE(b);
  CHECK(c->data() == "payload");
  b = c;
  c = b;  // self-shared assignment keeps it alive
  CHECK(c->data() == "payload");
}

}  // namespace pubsub_message_test
