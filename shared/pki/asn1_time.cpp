#include "shared/pki/asn1_time.hpp"

#include "shared/pki/error_codes.hpp"

#include <ctime>
#include <cstdio>

namespace phoenix::pki {

Result<TimePoint> to_time_point(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    drain_openssl_errors();
    return pki_error(errc::invalid_pem, "the certificate holds a malformed validity time");
  }
  using namespace std::chrono;
  // Civil-to-days arithmetic in <chrono> avoids timegm() and the process's TZ entirely.
  sys_days civil_day = year{parts.tm_year + 1900} / month{static_cast<unsigned>(parts.tm_mon + 1)} /
                 std::chrono::day{static_cast<unsigned>(parts.tm_mday)};
  return time_point_cast<system_clock::duration>(civil_day + hours{parts.tm_hour} +
                                                 minutes{parts.tm_min} +
                                                 seconds{parts.tm_sec});
}

Asn1TimePtr to_asn1_time(TimePoint time) {
  return Asn1TimePtr(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(time)));
}

std::string format_utc(TimePoint time) {
  using namespace std::chrono;
  auto seconds_since_epoch = floor<seconds>(time);
  sys_days civil_day = floor<days>(seconds_since_epoch);
  year_month_day date(civil_day);
  hh_mm_ss clock(seconds_since_epoch - civil_day);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long>(clock.hours().count()),
                static_cast<long>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()));
  return buffer;
}

}  // namespace phoenix::pki
