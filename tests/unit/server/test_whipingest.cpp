#include "resilient/server/whipingest.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::server;
using Kind = PublisherEvent::Kind;

namespace {

PublisherSlot
slot (Takeover t = Takeover::Replace)
{
  return PublisherSlot (t, ms (5000), ms (3000));
}

} // namespace

TEST (PublisherSlot, FirstMediaMakesTheConnectedPublisher)
{
  auto s = slot ();
  s.add ("a", "127.0.0.1:5000", ms (0));
  EXPECT_TRUE (s.active ().empty ());
  auto ev = s.on_media ("a", ms (300));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Connected);
  EXPECT_EQ (ev[0].id, "a");
  EXPECT_EQ (ev[0].remote, "127.0.0.1:5000");
  EXPECT_EQ (s.active (), "a");
  EXPECT_TRUE (s.on_media ("a", ms (320)).empty ());
  EXPECT_TRUE (s.on_media ("unknown", ms (320)).empty ());
}

TEST (PublisherSlot, SilenceBeyondTheTimeoutLosesThePublisher)
{
  auto s = slot ();
  s.add ("a", "r", ms (0));
  s.on_media ("a", ms (100));
  EXPECT_TRUE (s.tick (ms (3100)).empty ()); /* exactly the timeout: alive */
  EXPECT_EQ (resilient::to_ms (s.silence (ms (3100))), 3000);
  auto ev = s.tick (ms (3101));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Lost);
  EXPECT_EQ (ev[0].reason, "no media for 3000 ms");
  EXPECT_EQ (resilient::to_ms (ev[0].active_for), 3001);
  EXPECT_TRUE (s.active ().empty ());
  EXPECT_EQ (s.size (), 0u);
}

TEST (PublisherSlot, ASessionWithoutMediaIsDroppedAfterTheConnectTimeout)
{
  auto s = slot ();
  s.add ("a", "r", ms (0));
  EXPECT_TRUE (s.tick (ms (5000)).empty ());
  auto ev = s.tick (ms (5001));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Dropped);
  EXPECT_FALSE (s.has ("a"));
}

TEST (PublisherSlot, DeleteOfTheActiveOneIsLostOfAnotherIsDropped)
{
  auto s = slot ();
  s.add ("a", "r", ms (0));
  s.on_media ("a", ms (10));
  s.add ("b", "r2", ms (20));
  auto ev = s.end ("b", "DELETE", ms (30));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Dropped);
  EXPECT_EQ (s.active (), "a");
  ev = s.end ("a", "DELETE", ms (40));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Lost);
  EXPECT_EQ (ev[0].reason, "DELETE");
  EXPECT_TRUE (s.end ("a", "DELETE", ms (50)).empty ());
}

TEST (PublisherSlot, ReplaceIsMakeBeforeBreak)
{
  auto s = slot ();
  EXPECT_FALSE (s.admit ());
  s.add ("a", "ra", ms (0));
  s.on_media ("a", ms (10));
  EXPECT_FALSE (s.admit ()); /* replace: always admitted */
  s.add ("b", "rb", ms (1000));
  /* b is negotiating: a still feeds the output */
  s.on_media ("a", ms (1100));
  EXPECT_EQ (s.active (), "a");
  auto ev = s.on_media ("b", ms (1500));
  ASSERT_EQ (ev.size (), 1u);
  EXPECT_EQ (ev[0].kind, Kind::Replaced);
  EXPECT_EQ (ev[0].id, "b");
  EXPECT_EQ (ev[0].previous_id, "a");
  EXPECT_EQ (ev[0].previous_remote, "ra");
  EXPECT_EQ (resilient::to_ms (ev[0].active_for), 1490);
  EXPECT_EQ (s.active (), "b");
  EXPECT_FALSE (s.has ("a"));
  /* the old one's late media changes nothing */
  EXPECT_TRUE (s.on_media ("a", ms (1510)).empty ());
  EXPECT_EQ (s.active (), "b");
}

TEST (PublisherSlot, RefuseGives409WhileAnyPublisherIsThere)
{
  auto s = slot (Takeover::Refuse);
  EXPECT_FALSE (s.admit ());
  s.add ("a", "r", ms (0));
  auto r = s.admit ();
  ASSERT_TRUE (r);
  EXPECT_EQ (r->status, 409);
  EXPECT_EQ (r->action, Action::Refuse);
  s.end ("a", "DELETE", ms (10));
  EXPECT_FALSE (s.admit ());
}

TEST (PublisherSlot, ZeroTimeoutsDisableTheChecks)
{
  PublisherSlot s (Takeover::Replace, ms (0), ms (0));
  s.add ("a", "r", ms (0));
  s.add ("b", "r", ms (0));
  s.on_media ("b", ms (1));
  EXPECT_TRUE (s.tick (ms (1000000)).empty ());
}

TEST (OutputPolicy, FillerThenLiveThenHoldThenFiller)
{
  OutputPolicy p (ms (250), ms (1000));
  EXPECT_EQ (p.mode (ms (0)), OutputMode::Filler);
  p.on_media (ms (100));
  EXPECT_EQ (p.mode (ms (350)), OutputMode::Live);
  EXPECT_EQ (p.mode (ms (351)), OutputMode::Hold);
  EXPECT_EQ (p.mode (ms (1350)), OutputMode::Hold);
  EXPECT_EQ (p.mode (ms (1351)), OutputMode::Filler);
  p.on_media (ms (5000));
  EXPECT_EQ (p.mode (ms (5010)), OutputMode::Live);
  EXPECT_STREQ (output_mode_name (OutputMode::Hold), "hold");
}
