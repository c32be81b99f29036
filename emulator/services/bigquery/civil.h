// Civil dates and times as GoogleSQL reads and prints them: TIMESTAMP as int64 microseconds
// since the epoch (UTC), DATE "YYYY-MM-DD", TIME "HH:MM:SS[.ffffff]", DATETIME
// "YYYY-MM-DDTHH:MM:SS[.ffffff]". Pure functions; no clock.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gcpsim::services::bigquery::civil {

struct Fields {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;  // 0..999999
};

int64_t days_from_civil(int64_t y, int m, int d);
Fields civil_from_micros(int64_t micros);  // UTC
int64_t micros_from_civil(const Fields& f);

// "2024-01-02 03:04:05.678+00", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05 UTC",
// "2024-01-02" (midnight UTC), with an optional "+HH[:MM]" offset.
std::optional<int64_t> parse_timestamp(std::string_view s);
std::optional<Fields> parse_date(std::string_view s);      // "YYYY-MM-DD"
std::optional<Fields> parse_datetime(std::string_view s);  // "YYYY-MM-DD[ T]HH:MM[:SS[.f]]"
std::optional<Fields> parse_time(std::string_view s);      // "HH:MM[:SS[.f]]"

// "2024-01-02 03:04:05.678 UTC" is what CAST(ts AS STRING) prints: "2024-01-02 03:04:05.678+00".
std::string timestamp_string(int64_t micros);
std::string timestamp_iso(int64_t micros);  // "2024-01-02T03:04:05.678000Z": fixed microseconds
std::string date_string(const Fields& f);
std::string time_string(const Fields& f);
std::string datetime_string(const Fields& f);  // "2024-01-02T03:04:05"

// The canonical stored forms (normalised padding and separators), or nullopt.
std::optional<std::string> normal_date(std::string_view s);
std::optional<std::string> normal_time(std::string_view s);
std::optional<std::string> normal_datetime(std::string_view s);

// Truncation, EXTRACT and arithmetic by a date part name ("DAY", "HOUR", "MONTH", …).
std::optional<Fields> truncate(Fields f, std::string_view part);  // nullopt: unknown part
std::optional<int64_t> extract(const Fields& f, std::string_view part);
std::optional<Fields> add(Fields f, int64_t n, std::string_view part);
// Whole `part`s between two instants (b subtracted from a), GoogleSQL's DIFF semantics.
std::optional<int64_t> diff(const Fields& a, const Fields& b, std::string_view part);

// FORMAT_TIMESTAMP / PARSE_TIMESTAMP with the strftime elements GoogleSQL documents.
std::string format(std::string_view fmt, const Fields& f);
std::optional<Fields> parse_format(std::string_view fmt, std::string_view text);

}  // namespace gcpsim::services::bigquery::civil
