/* WHEP 406 counter-offer validity (Valid-Until, Expires, default). */
#include "resilient/whip/http.h"
#include "resilient/whip/retryafter.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::whip;

/* Tue, 14 Nov 2023 22:13:20 GMT */
static constexpr std::int64_t kNow = 1700000000;
static const char *kOffer = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 97\r\n";

static HttpResponse
counter_offer ()
{
  HttpResponse r;
  r.status = 406;
  r.location = "/whep/session/3";
  r.content_type = "application/sdp";
  r.body = kOffer;
  return r;
}

TEST (WhepCounterOffer, ValidUntilDateGivesTheTimeLeft)
{
  auto r = counter_offer ();
  r.valid_until = "Tue, 14 Nov 2023 22:13:32 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), ms (12000));
  auto v = classify (Protocol::Whep, Request::Post, r, kNow);
  EXPECT_EQ (v.outcome, Outcome::CounterOffer);
  ASSERT_TRUE (v.valid_for.has_value ());
  EXPECT_EQ (*v.valid_for, ms (12000));
  /* and through the POST exchange the client uses */
  PostExchange x (Protocol::Whep, "http://h/whep/cam");
  auto res = x.on_response (r, kNow);
  EXPECT_EQ (res.verdict.outcome, Outcome::CounterOffer);
  ASSERT_TRUE (res.verdict.valid_for.has_value ());
  EXPECT_EQ (*res.verdict.valid_for, ms (12000));
}

TEST (WhepCounterOffer, ValidUntilSecondsAccepted)
{
  auto r = counter_offer ();
  r.valid_until = " 5 ";
  EXPECT_EQ (counter_offer_validity (r, kNow), ms (5000));
}

TEST (WhepCounterOffer, PastValidUntilMeansExpired)
{
  auto r = counter_offer ();
  r.valid_until = "Tue, 14 Nov 2023 22:13:00 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), Duration::zero ());
  EXPECT_EQ (*classify (Protocol::Whep, Request::Post, r, kNow).valid_for,
      Duration::zero ());
}

TEST (WhepCounterOffer, ExpiresIsTheFallback)
{
  auto r = counter_offer ();
  r.expires = "Tue, 14 Nov 2023 22:13:40 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), ms (20000));
  /* Valid-Until wins over Expires */
  r.valid_until = "3";
  EXPECT_EQ (counter_offer_validity (r, kNow), ms (3000));
  /* an Expires in the past: expired */
  r.valid_until.clear ();
  r.expires = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), Duration::zero ());
}

TEST (WhepCounterOffer, AbsentOrMalformedGivesTheDefault)
{
  auto r = counter_offer ();
  EXPECT_EQ (counter_offer_validity (r, kNow), kCounterOfferValidity);
  EXPECT_EQ (kCounterOfferValidity, ms (30000));
  r.valid_until = "soon";
  r.expires = "0";  /* RFC 9111 "already expired" applies to caches, not here */
  EXPECT_EQ (counter_offer_validity (r, kNow), kCounterOfferValidity);
  /* Only a counter-offer carries a validity. */
  auto ok = counter_offer ();
  ok.status = 201;
  EXPECT_FALSE (classify (Protocol::Whep, Request::Post, ok, kNow).valid_for);
}

/* Issue 14 defect 6: Expires / Valid-Until far in the future overflowed
 * (core/time.h ms() of a huge count); both are clamped to kMaxHttpDelay. */
TEST (WhepCounterOffer, FarFutureValidityIsClampedNotOverflowed)
{
  auto r = counter_offer ();
  r.expires = "Fri, 31 Dec 9999 23:59:59 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), kMaxHttpDelay);
  r.expires = "Wed, 01 Jan 2200 00:00:00 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), kMaxHttpDelay);
  r.expires.clear ();
  r.valid_until = "Fri, 31 Dec 9999 23:59:59 GMT";
  EXPECT_EQ (counter_offer_validity (r, kNow), kMaxHttpDelay);
  r.valid_until = "99999999";
  EXPECT_EQ (counter_offer_validity (r, kNow), kMaxHttpDelay);
  auto v = classify (Protocol::Whep, Request::Post, r, kNow);
  ASSERT_TRUE (v.valid_for);
  EXPECT_EQ (*v.valid_for, kMaxHttpDelay);
}
