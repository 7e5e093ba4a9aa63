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
  EXPECT_EQ (parse_retry_after ("99999999999999", 0),
      std::chrono::seconds (86400));
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
