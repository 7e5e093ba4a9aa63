#include "resilient/failover/candidates.h"

#include <gtest/gtest.h>

using namespace resilient::failover;

TEST (CandidateList, SplitsOnBarsWhitespaceAndNewlines)
{
  auto v = split_uri_list ("rtmp://a/live/x | srt://b:9000?mode=caller\n"
                           "  file:///srv/slate.mp4\t|| http://c/s.m3u8 ");
  ASSERT_EQ (v.size (), 4u);
  EXPECT_EQ (v[0], "rtmp://a/live/x");
  EXPECT_EQ (v[1], "srt://b:9000?mode=caller");
  EXPECT_EQ (v[2], "file:///srv/slate.mp4");
  EXPECT_EQ (v[3], "http://c/s.m3u8");
  EXPECT_TRUE (split_uri_list (" | \n ").empty ());
  EXPECT_EQ (join_uri_list (v), "rtmp://a/live/x | srt://b:9000?mode=caller"
                                " | file:///srv/slate.mp4 | http://c/s.m3u8");
  EXPECT_EQ (split_uri_list (join_uri_list (v)), v);
}

TEST (CandidateList, ClassifiesInputKinds)
{
  EXPECT_EQ (parse_candidate ("rtmp://127.0.0.1:1935/live/a").kind,
             InputKind::Live);
  EXPECT_EQ (parse_candidate ("srt://127.0.0.1:9000?mode=caller").kind,
             InputKind::Live);
  EXPECT_EQ (parse_candidate ("rtsp://127.0.0.1:8554/cam").kind,
             InputKind::Live);
  EXPECT_EQ (parse_candidate ("http://127.0.0.1:8080/live.m3u8").kind,
             InputKind::Adaptive);
  EXPECT_EQ (parse_candidate ("http://127.0.0.1:8080/clip.ts").kind,
             InputKind::Adaptive);
  EXPECT_EQ (parse_candidate ("file:///tmp/a.mp4").kind, InputKind::File);
  auto c = parse_candidate ("RTMP://host/app");
  EXPECT_EQ (c.scheme, "rtmp");
  EXPECT_FALSE (c.problem.has_value ());
}

TEST (CandidateList, RejectsMalformedUris)
{
  for (const char *bad :
       { "no-scheme-here", "://host", "1rtmp://host/a", "rtmp:", "rtmp:host",
         "rtmp:///app", "rtsp://host:99999/a", "rtsp://host:12ab/a",
         "file:relative.mp4", "http://[::1/x", "sr t://host" }) {
    auto c = parse_candidate (bad);
    EXPECT_TRUE (c.problem.has_value ()) << bad;
  }
  EXPECT_FALSE (
      parse_candidate ("srt://:9000?mode=listener").problem.has_value ());
  EXPECT_FALSE (
      parse_candidate ("http://[::1]:8080/x.m3u8").problem.has_value ());
  EXPECT_FALSE (
      parse_candidate ("rtmp://u:p@host:1935/app/key").problem.has_value ());
  /* Unknown schemes parse; the element checks that a source exists. */
  auto unknown = parse_candidate ("nosuchproto://host/a");
  EXPECT_FALSE (unknown.problem.has_value ());
  EXPECT_EQ (unknown.scheme, "nosuchproto");
}

TEST (Failure, FatalVersusTransient)
{
  EXPECT_TRUE (is_fatal (ErrorClass::NotFound));
  EXPECT_TRUE (is_fatal (ErrorClass::NotAuthorized));
  EXPECT_TRUE (is_fatal (ErrorClass::MissingPlugin));
  EXPECT_TRUE (is_fatal (ErrorClass::BadUri));
  EXPECT_FALSE (is_fatal (ErrorClass::Transient));
  EXPECT_STREQ (reason_name (FailureReason::PadRemoved), "pad-removed");
  EXPECT_STREQ (reason_name (FailureReason::LowBitrate), "low-bitrate");
  EXPECT_STREQ (reason_name (FailureReason::Eos), "eos");
}
