// The Calendar v3 stub as the emulator hosts it: the store, the stack file's users and
// events, and the REST routes (users are picked by the request's OAuth token).
#pragma once
#include <memory>

#include "services/calendar/config.h"
#include "services/calendar/domain.h"
#include "services/service.h"

namespace gcpsim::services::oauth { class OAuthService; }

namespace gcpsim::services::calendar {

class CalendarService : public Service {
 public:
  // Throws std::runtime_error when the store cannot be migrated.
  explicit CalendarService(Context& ctx);
  CalendarStore& store() { return *store_; }

 private:
  void seed(const core::StackConfig& stack);

  core::Env& env_;
  std::unique_ptr<CalendarStore> store_;
};

// Registers every route (routes.cc).
void add_routes(net::Router& router, core::Env& env, CalendarStore& store, const oauth::OAuthService& identity);

// The stack file's event as the body events.insert takes.
Json seed_body(const CalendarEvent& e);

std::unique_ptr<Service> create(Context& ctx);

}  // namespace gcpsim::services::calendar
