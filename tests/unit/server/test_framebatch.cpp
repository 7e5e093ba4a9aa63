#include "resilient/server/framebatch.h"

#include <gtest/gtest.h>

#include <vector>

using resilient::server::FrameBatch;

namespace {

/* Feeds packets (marker, rtptime) and returns the sizes of the lists that
 * went out, in order; what is still gathered at the end is not counted. */
std::vector<std::size_t>
lists_of (const std::vector<std::pair<bool, std::uint32_t>> &packets)
{
  FrameBatch b;
  std::vector<std::size_t> out;
  std::size_t gathered = 0;
  for (auto [marker, ts] : packets) {
    FrameBatch::Step s = b.add (marker, ts);
    if (s.flush_before) {
      out.push_back (gathered);
      gathered = 0;
    }
    gathered++;
    if (s.flush_after) {
      out.push_back (gathered);
      gathered = 0;
    }
    EXPECT_EQ (b.pending (), gathered);
  }
  return out;
}

} // namespace

TEST (FrameBatch, AFrameGoesOutWholeAtItsMarker)
{
  EXPECT_EQ (lists_of ({ { false, 100 },
                         { false, 100 },
                         { true, 100 },
                         { false, 3100 },
                         { true, 3100 } }),
             (std::vector<std::size_t>{ 3, 2 }));
}

TEST (FrameBatch, APacketWithTheMarkerAloneIsAListOfOne)
{
  EXPECT_EQ (lists_of ({ { true, 100 }, { true, 3100 } }),
             (std::vector<std::size_t>{ 1, 1 }));
}

TEST (FrameBatch, WithoutMarkersANewTimestampEndsTheFrame)
{
  EXPECT_EQ (lists_of ({ { false, 100 },
                         { false, 100 },
                         { false, 3100 },
                         { false, 6100 },
                         { false, 6100 } }),
             (std::vector<std::size_t>{ 2, 1 }));
}

TEST (FrameBatch, AHugeFrameGoesOutInBoundedParts)
{
  std::vector<std::pair<bool, std::uint32_t>> p (
      FrameBatch::MAX_PACKETS * 2 + 3, { false, 7 });
  p.back ().first = true;
  EXPECT_EQ (lists_of (p),
             (std::vector<std::size_t>{ FrameBatch::MAX_PACKETS,
                                        FrameBatch::MAX_PACKETS, 3 }));
}

TEST (FrameBatch, ResetForgetsWhatWasGathered)
{
  FrameBatch b;
  b.add (false, 1);
  b.add (false, 1);
  b.reset ();
  EXPECT_EQ (b.pending (), 0u);
  /* the next packet, even of another timestamp, starts a new list */
  EXPECT_FALSE (b.add (false, 2).flush_before);
}
