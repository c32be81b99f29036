// A SecretStore on a virtual clock and an in-memory store, shared by the secrets unit tests.
#pragma once
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/secrets/domain.h"

namespace secrets_test {

using namespace gcpsim;
using namespace gcpsim::services::secrets;
using core::Code;
using namespace std::chrono_literals;

inline core::Time t0() { return *core::parse_rfc3339("2026-01-01T00:00:00Z"); }

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, t0()};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db};
  std::unique_ptr<SecretStore> store;
  std::vector<Notification> sent;

  Fixture() { reopen(); }

  // Drops the SecretStore (and its timers) and opens a new one over the same database.
  void reopen() {
    store.reset();
    store = SecretStore::open(env).value();
    store->set_notifier([this](const Notification& n) { sent.push_back(n); });
  }

  static SecretName name(const std::string& id) { return {"demo-project", "", id}; }
  static VersionName version(const std::string& id, const std::string& v) {
    return {name(id), v};
  }
  static ParentName parent() { return {"demo-project", ""}; }

  static SecretFields automatic() {
    SecretFields f;
    f.replication.kind = Replication::Kind::kAutomatic;
    return f;
  }

  Secret create(const std::string& id, SecretFields f = automatic()) {
    auto s = store->create(parent(), id, std::move(f));
    INFO(s.status().to_string());
    REQUIRE(s.ok());
    return *s;
  }

  Version add(const std::string& id, const std::string& payload) {
    auto v = store->add_version(name(id), payload, std::nullopt);
    INFO(v.status().to_string());
    REQUIRE(v.ok());
    return *v;
  }

  Secret update(const std::string& id, const SecretFields& f, std::vector<std::string> mask) {
    auto s = store->update(name(id), f, mask);
    INFO(s.status().to_string());
    REQUIRE(s.ok());
    return *s;
  }

  std::vector<std::string> event_types() const {
    std::vector<std::string> out;
    for (const auto& n : sent) out.push_back(n.event_type);
    return out;
  }
};

inline const std::string kProject = "projects/123456789012";

}  // namespace secrets_test
