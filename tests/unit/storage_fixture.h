// A storage domain on a virtual clock, an in-memory store and a private body directory,
// shared by the storage unit tests.
#pragma once
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/env.h"
#include "core/events.h"
#include "core/faults.h"
#include "core/ids.h"
#include "core/store.h"
#include "services/storage/domain.h"
#include "services/storage/errors.h"
#include "services/storage/uploads.h"

namespace storage_test {

using namespace gcpsim;
using namespace gcpsim::services::storage;
using namespace std::chrono_literals;

inline core::Time t0() { return *core::parse_rfc3339("2026-01-01T00:00:00Z"); }

inline std::string temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gcpsim-storage-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

// The HTTP status a domain error answers with.
inline int http(const core::Status& s) { return errors::http_status(s); }

struct Fixture {
  core::Clock clock{core::Clock::Mode::kVirtual, t0()};
  core::Ids ids{7};
  core::Events events{clock};
  core::Faults faults{clock, ids};
  std::unique_ptr<core::Store> db = core::Store::open("").value();
  core::Env env{clock, ids, events, faults, *db, "demo-project", "123456789012", "us-central1", temp_dir(), 0};
  std::unique_ptr<Storage> storage;
  std::unique_ptr<Uploads> uploads;
  std::vector<ObjectEvent> sent;

  Fixture() { reopen(); }
  ~Fixture() {
    uploads.reset();
    storage.reset();
    std::error_code ec;
    std::filesystem::remove_all(env.work_dir, ec);
  }

  // Drops the domain (and its timers) and opens a new one over the same database and files.
  void reopen() {
    uploads.reset();
    storage.reset();
    storage = Storage::open(env).value();
    storage->set_listener([this](const ObjectEvent& e) { sent.push_back(e); });
    uploads = std::make_unique<Uploads>(*storage);
  }

  Bucket bucket(const std::string& name, BucketSpec spec = {}) {
    auto b = storage->create_bucket(name, std::move(spec));
    INFO(b.status().to_string());
    REQUIRE(b.ok());
    return *b;
  }

  core::StatusOr<Object> try_put(const std::string& bucket, const std::string& name, const std::string& data,
                                 Preconditions pre = {}) {
    ObjectWrite w;
    w.bucket = bucket;
    w.name = name;
    w.meta.content_type = "text/plain";
    w.pre = pre;
    BodySource src;
    src.bytes = data;
    return storage->insert_object(w, src);
  }

  Object put(const std::string& bucket, const std::string& name, const std::string& data, Preconditions pre = {}) {
    auto o = try_put(bucket, name, data, pre);
    INFO(o.status().to_string());
    REQUIRE(o.ok());
    return *o;
  }

  std::string read(const Object& o) {
    std::string out(o.size, '\0');
    FILE* f = fopen(storage->body_path(o).c_str(), "rb");
    REQUIRE(f != nullptr);
    REQUIRE(fread(out.data(), 1, out.size(), f) == out.size());
    fclose(f);
    return out;
  }

  std::vector<std::string> names(const ListQuery& q, const std::string& bucket = "bkt") {
    auto page = storage->list_objects(bucket, q);
    REQUIRE(page.ok());
    std::vector<std::string> out;
    for (const auto& o : page->items) out.push_back(o.name);
    return out;
  }

  std::vector<std::string> event_types() const {
    std::vector<std::string> out;
    for (const auto& e : sent) out.push_back(e.type);
    return out;
  }
};

}  // namespace storage_test
