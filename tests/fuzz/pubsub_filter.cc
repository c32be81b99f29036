// Pub/Sub subscription filters: the first line is the filter, later lines `key=value`
// attributes of a message it is matched against.
#include <map>
#include <string>

#include "fuzz.h"
#include "services/pubsub/filter.h"
#include "services/pubsub/message.h"

using namespace gcpsim;
namespace pubsub = gcpsim::services::pubsub;

GCPSIM_FUZZ_TARGET(pubsub_filter) {
  auto nl = input.find('\n');
  auto filter = pubsub::Filter::parse(input.substr(0, nl));
  if (!filter.ok()) return;
  std::map<std::string, std::string> attrs;
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  while (!rest.empty()) {
    auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    auto eq = line.find('=');
    attrs[std::string(line.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  auto m = pubsub::Message::create(pubsub::MessageSpec{"", attrs, ""}.view(), 1, {});
  (void)filter->matches(m->attributes());
}
