#include "resilient/restore/encoder_chain.h"

#include <gtest/gtest.h>

#include <set>

using namespace resilient::restore;

static EncoderChain::Available
installed (std::set<std::string> names)
{
  return [names] (const EncoderCandidate &c) { return names.count (c.factory) > 0; };
}

static EncoderChain
hw_sw_vp8 (bool fallback)
{
  return EncoderChain ({{"vah264enc", "h264"}, {"x264enc", "h264"}},
      {{"vp8enc", "vp8"}}, fallback);
}

TEST (EncoderChain, SkipsEncodersThatAreNotInstalled)
{
  auto chain = hw_sw_vp8 (true);
  auto c = chain.first (installed ({"x264enc", "vp8enc"}));
  ASSERT_TRUE (c);
  EXPECT_EQ (c->factory, "x264enc");
}

TEST (EncoderChain, HardwareThatFailsToStartFallsBackToSoftwareSameCodec)
{
  auto chain = hw_sw_vp8 (true);
  auto all = installed ({"vah264enc", "x264enc", "vp8enc"});
  ASSERT_EQ (chain.first (all)->factory, "vah264enc");
  auto c = chain.on_start_failure (all);
  ASSERT_TRUE (c);
  EXPECT_EQ (c->factory, "x264enc");
  EXPECT_EQ (c->codec, "h264");
}

TEST (EncoderChain, CodecFailureMovesToVp8WhenTheDestinationTakesIt)
{
  auto chain = hw_sw_vp8 (true);
  auto all = installed ({"x264enc", "vp8enc"});
  chain.first (all);
  auto c = chain.on_codec_failure (all, [] (const std::string &codec) {
        return codec == "vp8" || codec == "h264"; });
  ASSERT_TRUE (c);
  EXPECT_EQ (c->factory, "vp8enc");
  EXPECT_EQ (chain.failed_codecs (), std::vector<std::string> {"h264"});
  /* VP8 failing too gives up (the seed: "VP8 publishing seems to be
   * failed, giving up"). */
  EXPECT_FALSE (chain.on_codec_failure (all, [] (const std::string &) {
        return true; }));
}

TEST (EncoderChain, NoCodecChangeWhenDisabledOrNotAccepted)
{
  auto all = installed ({"x264enc", "vp8enc"});
  auto off = hw_sw_vp8 (false);
  off.first (all);
  EXPECT_FALSE (off.on_codec_failure (all, [] (const std::string &) { return true; }));
  /* RTMP (FLV) and SRT (MPEG-TS) here carry H264, not VP8. */
  auto on = hw_sw_vp8 (true);
  on.first (all);
  EXPECT_FALSE (on.on_codec_failure (all, [] (const std::string &c) {
        return c == "h264"; }));
}

TEST (EncoderChain, FallbackListIsNotUsedForAStartFailureWhenDisabled)
{
  auto chain = hw_sw_vp8 (false);
  auto all = installed ({"x264enc", "vp8enc"});
  chain.first (all);
  EXPECT_FALSE (chain.on_start_failure (all));
}

TEST (EncoderChain, NothingInstalledIsExhausted)
{
  auto chain = hw_sw_vp8 (true);
  EXPECT_FALSE (chain.first (installed ({})));
}
