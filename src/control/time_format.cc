#include "control/time_format.h"

#include <cstdio>

namespace turnpike::control {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return Civil{yoe + era * 400 + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string Format(int64_t unix_millis, bool with_millis) {
  int64_t days = FloorDiv(unix_millis, 86'400'000);
  int64_t ms_of_day = unix_millis - days * 86'400'000;
  Civil c = CivilFromDays(days);
  int64_t s = ms_of_day / 1000;
  char buf[48];
  if (with_millis) {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(c.year),
                  static_cast<long long>(c.month), static_cast<long long>(c.day), static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60),
                  static_cast<long long>(ms_of_day % 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year),
                  static_cast<long long>(c.month), static_cast<long long>(c.day), static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  }
  return buf;
}

// Reads exactly `n` digits at text[pos…]; advances pos.
std::optional<int64_t> Digits(std::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char ch = text[pos + i];
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  pos += n;
  return v;
}

bool Expect(std::string_view text, size_t& pos, char ch) {
  if (pos >= text.size() || text[pos] != ch) return false;
  ++pos;
  return true;
}

int64_t DaysInMonth(int64_t year, int64_t month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The time of day and zone after the date: returns milliseconds from midnight UTC of that
// date (may be negative or exceed a day with an offset), or nullopt.
std::optional<int64_t> ParseTimeOfDay(std::string_view text, size_t pos) {
  auto hh = Digits(text, pos, 2);
  if (!hh || !Expect(text, pos, ':')) return std::nullopt;
  auto mm = Digits(text, pos, 2);
  if (!mm) return std::nullopt;
  int64_t ss = 0, millis = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    auto s = Digits(text, pos, 2);
    if (!s) return std::nullopt;
    ss = *s;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t start = pos;
      int64_t scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start || pos - start > 9) return std::nullopt;
    }
  }
  if (*hh > 23 || *mm > 59 || ss > 59) return std::nullopt;
  int64_t offset_min = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int64_t sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = Digits(text, pos, 2);
    if (!oh || !Expect(text, pos, ':')) return std::nullopt;
    auto om = Digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_min = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;  // a zone is required: a bare local time is ambiguous
  }
  if (pos != text.size()) return std::nullopt;
  return ((*hh * 60 + *mm - offset_min) * 60 + ss) * 1000 + millis;
}

}  // namespace

std::string FormatUnixSeconds(int64_t unix_seconds) { return Format(unix_seconds * 1000, false); }
std::string FormatUnixMillis(int64_t unix_millis) { return Format(unix_millis, true); }

std::optional<int64_t> ParseIsoMillis(std::string_view text) {
  size_t pos = 0;
  auto year = Digits(text, pos, 4);
  if (!year || !Expect(text, pos, '-')) return std::nullopt;
  auto month = Digits(text, pos, 2);
  if (!month || !Expect(text, pos, '-')) return std::nullopt;
  auto day = Digits(text, pos, 2);
  if (!day || *year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month)) {
    return std::nullopt;
  }
  int64_t midnight = DaysFromCivil(*year, *month, *day) * 86'400'000;
  if (pos == text.size()) return midnight;
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
  auto time = ParseTimeOfDay(text, pos + 1);
  if (!time) return std::nullopt;
  return midnight + *time;
}

}  // namespace turnpike::control
