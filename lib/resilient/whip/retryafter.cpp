#include "resilient/whip/retryafter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <sstream>
#include <vector>

namespace resilient::whip {

/* days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant) */
static std::int64_t
days_from_civil (std::int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned> (y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t> (doe) - 719468;
}

static int
month_index (const std::string &m)
{
  static const std::array<const char *, 12> names = { "jan", "feb", "mar",
    "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
  std::string l = m;
  std::transform (l.begin (), l.end (), l.begin (),
      [](unsigned char c) { return std::tolower (c); });
  for (int i = 0; i < 12; i++)
    if (l == names[i])
      return i + 1;
  return 0;
}

static bool
parse_int (const std::string &s, int &out)
{
  if (s.empty () || s.size () > 9)
    return false;
  for (char c : s)
    if (!std::isdigit ((unsigned char) c))
      return false;
  out = std::stoi (s);
  return true;
}

static bool
parse_hms (const std::string &s, int &h, int &mi, int &se)
{
  if (s.size () != 8 || s[2] != ':' || s[5] != ':')
    return false;
  return parse_int (s.substr (0, 2), h) && parse_int (s.substr (3, 2), mi)
      && parse_int (s.substr (6, 2), se) && h < 24 && mi < 60 && se <= 60;
}

static std::optional<std::int64_t>
make_time (int year, int month, int day, int h, int mi, int se)
{
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1970)
    return std::nullopt;
  return days_from_civil (year, month, day) * 86400 + h * 3600 + mi * 60 + se;
}

std::optional<std::int64_t>
parse_http_date (const std::string &value)
{
  std::vector<std::string> tok;
  {
    std::string cur;
    for (char c : value) {
      if (c == ' ' || c == '\t' || c == ',') {
        if (!cur.empty ())
          tok.push_back (cur);
        cur.clear ();
      } else {
        cur += c;
      }
    }
    if (!cur.empty ())
      tok.push_back (cur);
  }
  int day, year, h, mi, se;
  /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
  if (tok.size () == 6 && tok[5] == "GMT" && tok[1].size () <= 2) {
    int month = month_index (tok[2]);
    if (parse_int (tok[1], day) && month && parse_int (tok[3], year)
        && parse_hms (tok[4], h, mi, se))
      return make_time (year, month, day, h, mi, se);
    return std::nullopt;
  }
  /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
  if (tok.size () == 4 && tok[3] == "GMT" && tok[1].size () == 9
      && tok[1][2] == '-' && tok[1][6] == '-') {
    int month = month_index (tok[1].substr (3, 3));
    if (parse_int (tok[1].substr (0, 2), day) && month
        && parse_int (tok[1].substr (7, 2), year)
        && parse_hms (tok[2], h, mi, se)) {
      /* two-digit year: RFC 9110 says interpret >50 years ahead as past */
      year += year < 70 ? 2000 : 1900;
      return make_time (year, month, day, h, mi, se);
    }
    return std::nullopt;
  }
  /* asctime: Sun Nov  6 08:49:37 1994 */
  if (tok.size () == 5) {
    int month = month_index (tok[1]);
    if (month && parse_int (tok[2], day) && parse_hms (tok[3], h, mi, se)
        && parse_int (tok[4], year))
      return make_time (year, month, day, h, mi, se);
  }
  return std::nullopt;
}

Duration
time_until (std::int64_t at_unix_s, std::int64_t now_unix_s)
{
  if (at_unix_s <= now_unix_s)
    return Duration::zero ();
  /* at - now without overflow: both may be anything a fuzzer passes. */
  if (now_unix_s < 0 ? at_unix_s > now_unix_s + kMaxHttpDelaySeconds
                     : at_unix_s - now_unix_s > kMaxHttpDelaySeconds)
    return kMaxHttpDelay;
  return std::chrono::seconds (at_unix_s - now_unix_s);
}

std::optional<Duration>
parse_retry_after (const std::string &raw, std::int64_t now_unix_s)
{
  auto b = raw.find_first_not_of (" \t");
  if (b == std::string::npos)
    return std::nullopt;
  auto e = raw.find_last_not_of (" \t");
  std::string v = raw.substr (b, e - b + 1);
  if (std::all_of (v.begin (), v.end (),
          [](unsigned char c) { return std::isdigit (c); })) {
    if (v.size () > 9) /* more than the maximum in any case */
      return kMaxHttpDelay;
    return std::min<Duration> (std::chrono::seconds (std::stoll (v)),
                               kMaxHttpDelay);
  }
  auto at = parse_http_date (v);
  if (!at)
    return std::nullopt;
  return time_until (*at, now_unix_s);
}

}  // namespace resilient::whip
