// Building Secret Manager's notification messages.
#include "services/secrets/notify.h"

#include <chrono>
#include <cstdio>

#include <google/protobuf/util/json_util.h>

#include "services/secrets/convert.h"

namespace gcpsim::services::secrets {

std::string pacific_time(core::Time t) {
  using namespace std::chrono;
  auto us = floor<microseconds>(t);
  year y = year_month_day{floor<days>(us)}.year();
  // Daylight time runs from 02:00 PST on March's second Sunday to 02:00 PDT on November's first.
  auto dst_start = sys_days{y / March / Sunday[2]} + 10h;
  auto dst_end = sys_days{y / November / Sunday[1]} + 9h;
  bool dst = us >= dst_start && us < dst_end;
  auto local = us + (dst ? -7h : -8h);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  std::string out = buf;
  if (long frac = static_cast<long>(hms.subseconds().count()); frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06ld", frac);
    std::string digits = buf;
    digits.erase(digits.find_last_not_of('0') + 1);
    out += digits;
  }
  return out + (dst ? "-07:00" : "-08:00");
}

std::vector<TopicMessage> topic_messages(const Notification& n) {
  TopicMessage m;
  m.attributes["eventType"] = n.event_type;
  if (n.event_type != "TOPIC_CONFIGURED") {
    m.attributes["dataFormat"] = "JSON_API_V1";
    m.attributes["secretId"] = n.secret_name;
    m.attributes["timestamp"] = pacific_time(n.time);
    if (!n.delete_type.empty()) m.attributes["deleteType"] = n.delete_type;
    if (n.version) {
      m.attributes["versionId"] = n.version->name;
      v1::SecretVersion pb;
      to_proto(*n.version, &pb);
      (void)google::protobuf::util::MessageToJsonString(pb, &m.data);
    } else if (n.secret) {
      v1::Secret pb;
      to_proto(*n.secret, &pb);
      (void)google::protobuf::util::MessageToJsonString(pb, &m.data);
    }
  }
  std::vector<TopicMessage> out;
  for (const auto& topic : n.topics) {
    out.push_back(m);
    out.back().topic = topic;
  }
  return out;
}

}  // namespace gcpsim::services::secrets
