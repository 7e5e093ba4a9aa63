#include "resilient/server/whepserver.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::server;

namespace {

Limits
limits (const std::string &token = "", unsigned max = 0)
{
  Limits l;
  l.path = "/whep";
  l.token = token;
  l.max_body = 1000;
  l.max_viewers = max;
  l.retry_after = ms (2500);
  return l;
}

RequestHead
head (const std::string &method, const std::string &path,
      const std::string &ct = "application/sdp", const std::string &auth = "")
{
  RequestHead h;
  h.method = method;
  h.path = path;
  h.content_type = ct;
  h.authorization = auth;
  h.content_length = 100;
  return h;
}

const char *kChromeOffer
    = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE 0 1\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
      "a=recvonly\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 102 103 104 108\r\nc=IN IP4 0.0.0.0\r\n"
      "a=mid:1\r\na=recvonly\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;"
      "profile-level-id=42001f\r\n"
      "a=rtpmap:103 H264/90000\r\n"
      "a=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=64001f\r\n"
      "a=rtpmap:104 H264/90000\r\n"
      "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=42e01f\r\n"
      "a=rtpmap:108 rtx/90000\r\n";

} // namespace

TEST (ProblemJson, EscapesAndCarriesStatus)
{
  EXPECT_EQ (problem_json (415, "Unsupported \"Type\"", "a\nb\x01"),
             "{\"type\":\"about:blank\",\"status\":415,\"title\":"
             "\"Unsupported \\\"Type\\\"\",\"detail\":\"a\\nb\\u0001\"}");
}

TEST (Route, PostOnTheEndpointCreatesAViewer)
{
  auto r = route (limits (), head ("POST", "/whep"), false, 0);
  EXPECT_EQ (r.action, Action::CreateSession);
  /* a trailing slash is the same endpoint */
  EXPECT_EQ (route (limits (), head ("POST", "/whep/"), false, 0).action,
             Action::CreateSession);
}

TEST (Route, UnknownPathsAre404)
{
  for (const char *p :
       { "/", "/other", "/whepx", "/whep/../x", "/whep/a/b", "" }) {
    auto r = route (limits (), head ("POST", p), false, 0);
    EXPECT_EQ (r.status, 404) << p;
    EXPECT_EQ (r.action, Action::Refuse) << p;
  }
  /* a well-formed session path of a session that does not exist */
  EXPECT_EQ (
      route (limits (), head ("DELETE", "/whep/abc123"), false, 0).status, 404);
}

TEST (Route, WrongMethodsAre405WithAllow)
{
  auto r = route (limits (), head ("GET", "/whep"), false, 0);
  EXPECT_EQ (r.status, 405);
  EXPECT_EQ (r.allow, "POST, OPTIONS");
  r = route (limits (), head ("POST", "/whep/abc"), true, 0);
  EXPECT_EQ (r.status, 405);
  EXPECT_EQ (r.allow, "PATCH, DELETE, OPTIONS");
  r = route (limits (), head ("PUT", "/whep/abc"), true, 0);
  EXPECT_EQ (r.status, 405);
}

TEST (Route, TokenIsRequiredExceptForOptions)
{
  auto l = limits ("tok");
  EXPECT_EQ (route (l, head ("POST", "/whep"), false, 0).status, 401);
  EXPECT_EQ (route (l, head ("POST", "/whep", "application/sdp", "Bearer nope"),
                    false, 0)
                 .status,
             401);
  EXPECT_EQ (route (l, head ("POST", "/whep", "application/sdp", "Basic tok"),
                    false, 0)
                 .status,
             401);
  EXPECT_EQ (route (l, head ("POST", "/whep", "application/sdp", "Bearer tok"),
                    false, 0)
                 .action,
             Action::CreateSession);
  EXPECT_EQ (route (l, head ("POST", "/whep", "application/sdp", "bearer tok"),
                    false, 0)
                 .action,
             Action::CreateSession);
  /* browsers send the CORS preflight without credentials */
  EXPECT_EQ (route (l, head ("OPTIONS", "/whep", ""), false, 0).action,
             Action::Options);
  /* DELETE and PATCH need it too; and a missing token on an unknown
   * session says 401, not whether the session exists */
  EXPECT_EQ (route (l, head ("DELETE", "/whep/abc"), true, 0).status, 401);
  EXPECT_EQ (route (l, head ("DELETE", "/whep/abc"), false, 0).status, 401);
  EXPECT_EQ (
      route (l, head ("DELETE", "/whep/abc", "", "Bearer tok"), true, 0).action,
      Action::Delete);
  /* the refusal never echoes the token */
  auto r = route (
      l, head ("POST", "/whep", "application/sdp", "Bearer wrongsecret"), false,
      0);
  EXPECT_EQ (r.detail.find ("wrongsecret"), std::string::npos);
}

TEST (Route, BodyTypeAndSize)
{
  auto h = head ("POST", "/whep", "text/plain");
  EXPECT_EQ (route (limits (), h, false, 0).status, 415);
  h = head ("POST", "/whep", "");
  EXPECT_EQ (route (limits (), h, false, 0).status, 415);
  h = head ("POST", "/whep");
  h.content_length = 1001;
  EXPECT_EQ (route (limits (), h, false, 0).status, 413);
  h = head ("PATCH", "/whep/abc", "application/sdp");
  h.if_match = "\"x\"";
  EXPECT_EQ (route (limits (), h, true, 0).status, 415);
  h = head ("PATCH", "/whep/abc", "application/trickle-ice-sdpfrag");
  EXPECT_EQ (route (limits (), h, true, 0).status, 428);
  h.if_match = "\"x\"";
  auto r = route (limits (), h, true, 0);
  EXPECT_EQ (r.action, Action::Trickle);
  EXPECT_EQ (r.session, "abc");
}

TEST (Route, ViewerLimitIs503WithRetryAfter)
{
  auto l = limits ("", 2);
  EXPECT_EQ (route (l, head ("POST", "/whep"), false, 1).action,
             Action::CreateSession);
  auto r = route (l, head ("POST", "/whep"), false, 2);
  EXPECT_EQ (r.status, 503);
  ASSERT_TRUE (r.retry_after_s);
  EXPECT_EQ (*r.retry_after_s, 3); /* 2500 ms rounded up */
  /* unlimited */
  EXPECT_EQ (route (limits (), head ("POST", "/whep"), false, 1000).action,
             Action::CreateSession);
}

TEST (SessionId, OnlyAlphanumericIdsDirectlyUnderTheEndpoint)
{
  EXPECT_EQ (session_id_of ("/whep", "/whep/ab12"), "ab12");
  EXPECT_EQ (session_id_of ("/whep/", "/whep/ab12"), "ab12");
  EXPECT_EQ (session_id_of ("/whep", "/whep/"), "");
  EXPECT_EQ (session_id_of ("/whep", "/whep/a.b"), "");
  EXPECT_EQ (session_id_of ("/whep", "/whepab"), "");
}

TEST (ChooseFormats, H264PicksPacketizationMode1Baseline)
{
  int status = 0;
  std::string err;
  auto f = choose_formats (kChromeOffer, VideoCodec::H264, true, status, err);
  ASSERT_TRUE (f) << err;
  EXPECT_EQ (f->video_pt, 104);
  EXPECT_EQ (f->video_mid, "1");
  EXPECT_EQ (f->video_profile_level_id, "42e01f");
  EXPECT_EQ (f->audio_pt, 111);
  EXPECT_EQ (f->audio_mid, "0");
}

TEST (ChooseFormats, ConstrainedBaselineBeforeBaseline)
{
  /* chromium lists 42001f (Baseline) before 42e01f (Constrained
   * Baseline); webrtcbin turns them into profile=baseline /
   * constrained-baseline, and only the latter matches what we send */
  std::string offer = kChromeOffer;
  offer.replace (offer.find ("packetization-mode=0;profile-level-id=42001f"),
                 44, "packetization-mode=1;profile-level-id=42001f");
  int status = 0;
  std::string err;
  auto f = choose_formats (offer, VideoCodec::H264, true, status, err);
  ASSERT_TRUE (f);
  EXPECT_EQ (f->video_pt, 104);
  /* without a Constrained Baseline format, Baseline will do */
  offer.replace (offer.find ("profile-level-id=42e01f"), 23,
                 "profile-level-id=4d001f");
  f = choose_formats (offer, VideoCodec::H264, true, status, err);
  ASSERT_TRUE (f);
  EXPECT_EQ (f->video_pt, 102);
}

TEST (ChooseFormats, Vp8AndNoAudio)
{
  int status = 0;
  std::string err;
  auto f = choose_formats (kChromeOffer, VideoCodec::VP8, false, status, err);
  ASSERT_TRUE (f);
  EXPECT_EQ (f->video_pt, 96);
  EXPECT_EQ (f->audio_pt, -1);
}

TEST (ChooseFormats, RefusalsSayWhy)
{
  int status = 0;
  std::string err;
  EXPECT_FALSE (
      choose_formats ("garbage", VideoCodec::H264, true, status, err));
  EXPECT_EQ (status, 400);
  EXPECT_FALSE (choose_formats ("", VideoCodec::H264, true, status, err));
  EXPECT_EQ (status, 400);
  std::string vp8only
      = "v=0\r\ns=-\r\nt=0 0\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=recvonly\r\n"
        "a=rtpmap:96 VP8/90000\r\n";
  EXPECT_FALSE (choose_formats (vp8only, VideoCodec::H264, false, status, err));
  EXPECT_EQ (status, 422);
  EXPECT_NE (err.find ("H264"), std::string::npos);
  /* a sendonly offer (a publisher at a viewer endpoint) takes nothing */
  std::string sendonly = vp8only;
  sendonly.replace (sendonly.find ("recvonly"), 8, "sendonly");
  EXPECT_FALSE (choose_formats (sendonly, VideoCodec::VP8, false, status, err));
  EXPECT_EQ (status, 422);
  /* a payload type listed in rtpmap but not on the m-line is not offered */
  std::string notlisted = vp8only;
  notlisted.replace (notlisted.find ("SAVPF 96"), 8, "SAVPF 97");
  EXPECT_FALSE (
      choose_formats (notlisted, VideoCodec::VP8, false, status, err));
}

TEST (ViewerWatch, MustConnectInTime)
{
  ViewerWatch w (ms (1000), ms (5000), ms (3000));
  EXPECT_FALSE (w.dead (ms (5999)));
  auto d = w.dead (ms (6000));
  ASSERT_TRUE (d);
  EXPECT_NE (d->find ("not connected"), std::string::npos);
}

TEST (ViewerWatch, RtcpKeepsItAliveSilenceKillsIt)
{
  ViewerWatch w (ms (0), ms (5000), ms (3000));
  w.on_connected (ms (500));
  for (int t = 1000; t <= 60000; t += 1000) {
    w.on_rtcp (ms (t));
    EXPECT_FALSE (w.dead (ms (t + 999)));
  }
  /* 1 s reports: the floor of 3 s applies (3 x 1 s) */
  EXPECT_EQ (to_ms (w.allowance ()), 3000);
  EXPECT_FALSE (w.dead (ms (62999)));
  auto d = w.dead (ms (63000));
  ASSERT_TRUE (d);
  EXPECT_NE (d->find ("no RTCP"), std::string::npos);
  EXPECT_EQ (to_ms (w.silence (ms (63000))), 3000);
}

TEST (ViewerWatch, SlowReportersGetThreeTimesTheirLongestGap)
{
  ViewerWatch w (ms (0), ms (5000), ms (2000));
  w.on_connected (ms (100));
  /* connected, no RTCP yet: 7.5 s */
  EXPECT_FALSE (w.dead (ms (7599)));
  EXPECT_TRUE (w.dead (ms (7600)));
  ViewerWatch s (ms (0), ms (5000), ms (2000));
  s.on_connected (ms (100));
  /* an RFC 3550 receiver: a first report early, then 2.5 .. 7.5 s apart;
   * the early short gaps do not set the allowance */
  s.on_rtcp (ms (200));
  s.on_rtcp (ms (600));
  EXPECT_FALSE (s.dead (ms (600 + 7499)));
  int t = 1000;
  for (int gap : { 5000, 2500, 7000, 4000 }) {
    s.on_rtcp (ms (t));
    t += gap;
    EXPECT_FALSE (s.dead (ms (t - 1))) << t;
  }
  s.on_rtcp (ms (t));
  EXPECT_EQ (to_ms (s.allowance ()), 21000);
  EXPECT_FALSE (s.dead (ms (t + 20999)));
  EXPECT_TRUE (s.dead (ms (t + 21000)));
}

TEST (ViewerWatch, FeedbackBurstsDoNotShrinkTheAllowance)
{
  /* a GStreamer viewer: receiver reports about every 5 s and, between
   * them, bursts of early feedback (NACK, PLI) 100 ms apart. The element
   * test reaped such a healthy viewer 2 s after a burst while only the
   * last 8 gaps counted. */
  ViewerWatch w (ms (0), ms (5000), ms (2000));
  w.on_connected (ms (100));
  int t = 1000;
  for (int i = 0; i < 4; i++) {
    w.on_rtcp (ms (t));
    t += 5000;
  }
  for (int i = 0; i < 20; i++) {
    w.on_rtcp (ms (t));
    t += 100;
  }
  w.on_rtcp (ms (t));
  EXPECT_EQ (to_ms (w.allowance ()), 15000);
  EXPECT_FALSE (w.dead (ms (t + 5000)));
  EXPECT_TRUE (w.dead (ms (t + 15000)));
  /* a burst right after connecting does not set a short rhythm either */
  ViewerWatch e (ms (0), ms (5000), ms (2000));
  e.on_connected (ms (100));
  for (int i = 0; i < 5; i++)
    e.on_rtcp (ms (200 + 100 * i));
  EXPECT_FALSE (e.dead (ms (600 + 5000)));
}

TEST (ViewerWatch, FailureIsDeadAtOnceAndZeroDisablesTimeouts)
{
  ViewerWatch w (ms (0), ms (0), ms (0));
  w.on_connected (ms (1));
  EXPECT_FALSE (w.dead (ms (1000000)));
  w.on_failed ("ICE failed");
  EXPECT_EQ (w.dead (ms (2)).value_or (""), "ICE failed");
}

TEST (KeyframeGate, RateLimitedAndCoalesced)
{
  KeyframeGate g (ms (1000));
  auto at = g.request (ms (100));
  ASSERT_TRUE (at);
  EXPECT_EQ (*at, ms (100));
  g.sent (ms (100));
  /* three viewers join within the interval: one send at its end */
  at = g.request (ms (300));
  ASSERT_TRUE (at);
  EXPECT_EQ (*at, ms (1100));
  EXPECT_FALSE (g.request (ms (400)));
  EXPECT_FALSE (g.request (ms (900)));
  EXPECT_EQ (g.coalesced (), 2u);
  g.sent (ms (1100));
  /* after the interval: at once */
  at = g.request (ms (2200));
  ASSERT_TRUE (at);
  EXPECT_EQ (*at, ms (2200));
}
