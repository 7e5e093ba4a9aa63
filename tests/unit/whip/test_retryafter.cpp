#include "resilient/whip/retryafter.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::whip;

/* Sun, 06 Nov 1994 08:49:37 GMT */
static constexpr std::int64_t kRfcDate = 784111777;

TEST (WhipRetryAfter, Seconds)
{
  EXPECT_EQ (parse_retry_after ("120", 0), std::chrono::seconds (120));
  EXPECT_EQ (parse_retry_after (" 0 ", 0), std::chrono::seconds (0));
  EXPECT_EQ (parse_retry_after ("99999999999999", 0), kMaxHttpDelay);
  EXPECT_FALSE (parse_retry_after ("", 0));
  EXPECT_FALSE (parse_retry_after ("-5", 0));
  EXPECT_FALSE (parse_retry_after ("1.5", 0));
  EXPECT_FALSE (parse_retry_after ("soon", 0));
}

TEST (WhipRetryAfter, HttpDateInAllThreeFormsAgainstInjectedNow)
{
  EXPECT_EQ (parse_http_date ("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcDate);
  EXPECT_EQ (parse_http_date ("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcDate);
  EXPECT_EQ (parse_http_date ("Sun Nov  6 08:49:37 1994"), kRfcDate);
  EXPECT_EQ (parse_retry_after ("Sun, 06 Nov 1994 08:49:37 GMT",
          kRfcDate - 30), std::chrono::seconds (30));
  /* a date in the past means "now" */
  EXPECT_EQ (parse_retry_after ("Sun, 06 Nov 1994 08:49:37 GMT",
          kRfcDate + 100), std::chrono::seconds (0));
  /* leap-year day and year 2038+ */
  EXPECT_EQ (parse_http_date ("Thu, 29 Feb 2024 00:00:00 GMT"), 1709164800);
  EXPECT_EQ (parse_http_date ("Fri, 01 Jan 2100 00:00:00 GMT"), 4102444800);
}

TEST (WhipRetryAfter, MalformedDatesAreRejected)
{
  EXPECT_FALSE (parse_http_date ("Sun, 06 Nov 1994 08:49:37 UTC"));
  EXPECT_FALSE (parse_http_date ("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE (parse_http_date ("Sun, 06 Nov 1994 25:49:37 GMT"));
  EXPECT_FALSE (parse_http_date ("Sun, 32 Nov 1994 08:49:37 GMT"));
  EXPECT_FALSE (parse_http_date ("Sun, 06 Nov 1994 8:49:37 GMT"));
  EXPECT_FALSE (parse_retry_after ("Sun, 06 Nov 1994", kRfcDate));
}

/* Issue 14 defect 6: a far HTTP-date overflowed the nanosecond Duration
 * (a negative wait: a POST storm, then a give-up), a date in 2200 parked the
 * publisher for 175 years, and a huge delay-seconds for 31 years. Every
 * parsed time is clamped to kMaxHttpDelay. */
TEST (WhipRetryAfter, FarFutureDatesAndHugeSecondsAreClampedToTheMaximum)
{
  const std::int64_t now = 1700000000;
  EXPECT_EQ (kMaxHttpDelay, std::chrono::seconds (600));
  EXPECT_EQ (parse_retry_after ("Fri, 31 Dec 9999 23:59:59 GMT", now),
             kMaxHttpDelay);
  EXPECT_EQ (parse_retry_after ("Wed, 01 Jan 2200 00:00:00 GMT", now),
             kMaxHttpDelay);
  EXPECT_EQ (parse_retry_after ("Fri Dec 31 23:59:59 999999999", now),
             kMaxHttpDelay);
  EXPECT_EQ (parse_retry_after ("999999999", now), kMaxHttpDelay);
  EXPECT_EQ (parse_retry_after ("601", now), kMaxHttpDelay);
  EXPECT_EQ (parse_retry_after ("600", now), std::chrono::seconds (600));
  EXPECT_EQ (parse_retry_after ("599", now), std::chrono::seconds (599));
  /* Just inside and just past the maximum, as a date. */
  EXPECT_EQ (parse_retry_after ("Tue, 14 Nov 2023 22:23:19 GMT", now),
             std::chrono::seconds (599));
  EXPECT_EQ (parse_retry_after ("Tue, 14 Nov 2023 22:23:21 GMT", now),
             kMaxHttpDelay);
  /* Whatever "now" a caller passes, nothing overflows. */
  for (std::int64_t n : { INT64_MIN, INT64_MIN + 1, (std::int64_t)-1,
                          (std::int64_t)0, INT64_MAX - 1, INT64_MAX }) {
    auto d = parse_retry_after ("Fri, 31 Dec 9999 23:59:59 GMT", n);
    ASSERT_TRUE (d);
    EXPECT_GE (d->count (), 0);
    EXPECT_LE (*d, kMaxHttpDelay);
    EXPECT_EQ (time_until (n, n), Duration::zero ());
    EXPECT_LE (time_until (INT64_MAX, n), kMaxHttpDelay);
    EXPECT_GE (time_until (INT64_MIN, n).count (), 0);
  }
}
