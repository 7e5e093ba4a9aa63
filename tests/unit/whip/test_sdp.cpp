#include "resilient/whip/sdp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

using namespace resilient::whip;

/* What webrtcbin 1.22 produces for a sendonly H264 + Opus offer with
 * max-bundle, after gathering (shape checked against a real one). */
static const char *kWebrtcbinOffer =
    "v=0\r\n"
    "o=- 4711 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=ice-options:trickle\r\n"
    "a=group:BUNDLE video0 audio1\r\n"
    "m=video 41000 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=setup:actpass\r\n"
    "a=ice-ufrag:UFRAGvideo\r\n"
    "a=ice-pwd:PWDvideoPWDvideoPWDvideo\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-mux-only\r\n"
    "a=rtcp-rsize\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=42c01f;"
    "sprop-parameter-sets=Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA==,aMuDyyA=\r\n"
    "a=ssrc:1111 msid:user1/video0 webrtctransceiver0\r\n"
    "a=ssrc:1111 cname:user@host\r\n"
    "a=mid:video0\r\n"
    "a=fingerprint:sha-256 AA:BB:CC\r\n"
    "a=candidate:1 1 UDP 2015363327 127.0.0.1 41000 typ host\r\n"
    "a=candidate:2 1 TCP 1015021823 127.0.0.1 9 typ host tcptype active\r\n"
    "m=audio 0 UDP/TLS/RTP/SAVPF 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=setup:actpass\r\n"
    "a=ice-ufrag:UFRAGvideo\r\n"
    "a=ice-pwd:PWDvideoPWDvideoPWDvideo\r\n"
    "a=bundle-only\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-mux-only\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:97 OPUS/48000/2\r\n"
    "a=ssrc:2222 msid:user2/audio1 webrtctransceiver1\r\n"
    "a=mid:audio1\r\n"
    "a=fingerprint:sha-256 AA:BB:CC\r\n";

static int
count (const std::vector<std::string> &lines, const std::string &prefix)
{
  return (int) std::count_if (lines.begin (), lines.end (),
      [&] (const std::string &l) { return l.rfind (prefix, 0) == 0; });
}

/* The m-line and attribute readers walk views of the lines (no copy per
 * lookup); these are the edges of that reading. */
TEST (WhipSdp, MediaLineFieldsAtTheirEdges)
{
  auto m = [](const char *line) { return SdpMedia { line, {} }; };
  EXPECT_EQ (m ("m=video 9/2 UDP/TLS/RTP/SAVPF 96").port (), 9);
  EXPECT_EQ (m ("m=video  \t 7 RTP/AVP 0").port (), 7);
  EXPECT_EQ (m ("m=video 99999999999 RTP/AVP 0").port (), -1);
  EXPECT_EQ (m ("m=video x9 RTP/AVP 0").port (), -1);
  EXPECT_EQ (m ("m=video +9 RTP/AVP 0").port (), 9);
  EXPECT_EQ (m ("m=video +-9 RTP/AVP 0").port (), -1);
  EXPECT_EQ (m ("m=video").port (), -1);
  EXPECT_EQ (m ("m").port (), -1);
  EXPECT_EQ (m ("m=").kind (), "");
  EXPECT_EQ (m ("m=  audio 9").kind (), "audio");
  SdpMedia a { "m=audio 9 RTP/AVP 0", { "a=mid", "a=midx:1", "a=mid:a0",
      "b=mid:z", "a=sendonly" } };
  EXPECT_EQ (a.attrs ("mid"), (std::vector<std::string> { "", "a0" }));
  EXPECT_EQ (a.attr ("midx"), "1");
  EXPECT_FALSE (a.has_attr ("mi"));
  EXPECT_FALSE (a.has_attr ("z"));
  EXPECT_EQ (a.direction (), "sendonly");
  /* a last line without a newline, CR-only blank lines */
  auto sdp = Sdp::parse ("v=0\r\n\r\nm=audio 9 RTP/AVP 0\r\na=mid:0");
  ASSERT_TRUE (sdp);
  ASSERT_EQ (sdp->media.size (), 1u);
  EXPECT_EQ (sdp->media[0].mid (), "0");
  EXPECT_EQ (sdp->to_string (), "v=0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n");
}

TEST (WhipSdp, ParsesSectionsAndAttributes)
{
  auto sdp = Sdp::parse (kWebrtcbinOffer);
  ASSERT_TRUE (sdp);
  ASSERT_EQ (sdp->media.size (), 2u);
  EXPECT_EQ (sdp->media[0].kind (), "video");
  EXPECT_EQ (sdp->media[0].port (), 41000);
  EXPECT_EQ (sdp->media[1].port (), 0);
  EXPECT_EQ (sdp->media[0].formats (), std::vector<std::string> { "96" });
  EXPECT_EQ (sdp->media[1].mid (), "audio1");
  EXPECT_EQ (sdp->media[1].direction (), "sendonly");
  EXPECT_EQ (sdp->bundle_mids (),
      (std::vector<std::string> { "video0", "audio1" }));
  EXPECT_FALSE (Sdp::parse ("this is not sdp"));
  EXPECT_FALSE (Sdp::parse ("o=- 1 1 IN IP4 0.0.0.0\r\n"));
  /* LF-only input re-serialises with CRLF */
  auto lf = Sdp::parse ("v=0\nm=audio 9 RTP/AVP 0\na=mid:0\n");
  ASSERT_TRUE (lf);
  EXPECT_EQ (lf->to_string (), "v=0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n");
}

TEST (WhipSdp, WhipFixupsAddOneMsidStreamOnEveryMsection)
{
  OfferFixups f;
  f.add_msid = true;
  auto out = fix_offer (kWebrtcbinOffer, f);
  ASSERT_TRUE (out);
  auto sdp = Sdp::parse (*out);
  ASSERT_TRUE (sdp);
  /* the first ssrc-level stream id is used for both sections */
  EXPECT_EQ (sdp->media[0].attr ("msid"), "user1/video0 webrtctransceiver0");
  EXPECT_EQ (sdp->media[1].attr ("msid"), "user1/video0 webrtctransceiver1");
  for (auto &m : sdp->media)
    EXPECT_EQ (count (m.lines, "a=msid:"), 1);

  f.stream_id = "cam";
  sdp = Sdp::parse (*fix_offer (*out, f));
  EXPECT_EQ (sdp->media[0].attr ("msid"), "cam webrtctransceiver0");
  EXPECT_EQ (sdp->media[1].attr ("msid"), "cam webrtctransceiver1");
  for (auto &m : sdp->media)
    EXPECT_EQ (count (m.lines, "a=msid:"), 1) << "no duplicate msid";
  /* the ssrc-level msid names the same stream and track */
  EXPECT_EQ (sdp->media[0].attrs ("ssrc")[0],
             "1111 msid:cam webrtctransceiver0");
  EXPECT_EQ (sdp->media[1].attrs ("ssrc")[0],
             "2222 msid:cam webrtctransceiver1");
  EXPECT_TRUE (routing_problems (sdp->to_string ()).empty ());
}

/* The offer of issue 8: the video m-section of a WHIP offer made before
 * the payloader had caps (no a=ssrc), without the MID extension. */
static std::string
without_video_ssrc ()
{
  std::string offer = kWebrtcbinOffer;
  for (const char *l : { "a=ssrc:1111 msid:user1/video0 webrtctransceiver0\r\n",
                         "a=ssrc:1111 cname:user@host\r\n" })
    offer.erase (offer.find (l), std::strlen (l));
  return offer;
}

TEST (WhipSdp, RoutingCheckFindsASendingMsectionNobodyCanRoute)
{
  EXPECT_TRUE (routing_problems (kWebrtcbinOffer).empty ());
  auto problems = routing_problems (without_video_ssrc ());
  ASSERT_EQ (problems.size (), 1u);
  EXPECT_NE (problems[0].find ("mid video0"), std::string::npos) << problems[0];
  EXPECT_NE (problems[0].find ("cannot route"), std::string::npos);

  /* a MID header extension names the stream instead */
  std::string with_mid = without_video_ssrc ();
  with_mid.replace (with_mid.find ("a=mid:video0"), 0,
                    std::string ("a=extmap:1 ") + kSdesMidUri + "\r\n");
  EXPECT_TRUE (routing_problems (with_mid).empty ());

  /* a receiving m-section needs neither */
  std::string recv = without_video_ssrc ();
  recv.replace (recv.find ("a=sendonly"), 10, "a=recvonly");
  EXPECT_TRUE (routing_problems (recv).empty ());
  EXPECT_FALSE (routing_problems ("garbage").empty ());
}

TEST (WhipSdp, RoutingCheckFindsMsidAndTransportCcMismatches)
{
  OfferFixups f;
  f.add_msid = true;
  f.stream_id = "cam";
  std::string fixed = *fix_offer (kWebrtcbinOffer, f);
  ASSERT_TRUE (routing_problems (fixed).empty ());
  /* a media-level msid that disagrees with the ssrc-level one */
  std::string bad = fixed;
  bad.replace (bad.find ("1111 msid:cam"), 13, "1111 msid:xyz");
  auto p = routing_problems (bad);
  ASSERT_EQ (p.size (), 1u);
  EXPECT_NE (p[0].find ("ssrc-level msid:xyz"), std::string::npos) << p[0];

  /* transport-cc feedback without the header extension, and back */
  std::string fb = fixed;
  fb.replace (fb.find ("a=rtcp-fb:96 nack pli"), 0,
              "a=rtcp-fb:96 transport-cc\r\n");
  p = routing_problems (fb);
  ASSERT_EQ (p.size (), 1u);
  EXPECT_NE (p[0].find ("transport-cc without"), std::string::npos) << p[0];
  fb.replace (fb.find ("a=mid:video0"), 0,
              std::string ("a=extmap:3 ") + kTwccUri + "\r\n");
  EXPECT_TRUE (routing_problems (fb).empty ());
  /* the same URI under another id on the other m-line of the bundle */
  fb.replace (fb.find ("a=mid:audio1"), 0,
              std::string ("a=extmap:5 ") + kTwccUri + "\r\n"
                  + "a=rtcp-fb:97 transport-cc\r\n");
  p = routing_problems (fb);
  ASSERT_EQ (p.size (), 1u);
  EXPECT_NE (p[0].find ("one id per URI"), std::string::npos) << p[0];
}

TEST (WhipSdp, MidExtmapIsNotAddedWhenNotAsked)
{
  OfferFixups f;
  f.add_mid_extmap = false;
  auto sdp = Sdp::parse (*fix_offer (kWebrtcbinOffer, f));
  for (auto &m : sdp->media)
    EXPECT_EQ (count (m.lines, "a=extmap:"), 0) << m.mline;
}

TEST (WhipSdp, MsidTrackIdsAreGeneratedWithoutSsrcLines)
{
  OfferFixups f;
  f.add_msid = true;
  auto sdp = Sdp::parse (*fix_offer ("v=0\r\nt=0 0\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\n"
          "a=rtpmap:96 VP8/90000\r\n"
          "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\n", f));
  EXPECT_EQ (sdp->media[0].attr ("msid"), "resilient video-v");
  EXPECT_EQ (sdp->media[1].attr ("msid"), "resilient audio-a");
}

TEST (WhipSdp, SdesMidExtmapUsesOneFreeIdAcrossTheBundle)
{
  std::string offer = kWebrtcbinOffer;
  /* id 1 taken on video, 2 on audio: the shared id must be 3 */
  offer.replace (offer.find ("a=mid:video0"), 0,
      "a=extmap:1 urn:ietf:params:rtp-hdrext:toffset\r\n");
  offer.replace (offer.find ("a=mid:audio1"), 0,
      "a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n");
  auto sdp = Sdp::parse (*fix_offer (offer, {}));
  for (auto &m : sdp->media) {
    auto maps = m.attrs ("extmap");
    EXPECT_NE (std::find (maps.begin (), maps.end (),
            std::string ("3 ") + kSdesMidUri), maps.end ()) << m.mline;
  }
  /* idempotent: an existing mapping is reused, not duplicated */
  auto again = Sdp::parse (*fix_offer (sdp->to_string (), {}));
  for (auto &m : again->media)
    EXPECT_EQ (count (m.lines, std::string ("a=extmap:3 ") + kSdesMidUri), 1);
  EXPECT_FALSE (fix_offer ("garbage", {}));
}

TEST (WhipSdp, BundleAndRtcpMuxOnlyAreEnsured)
{
  auto sdp = Sdp::parse (*fix_offer ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"
          "s=-\r\nt=0 0\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=sendonly\r\n"
          "a=rtpmap:96 VP8/90000\r\n"
          "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=rtcp-mux\r\n"
          "a=sendonly\r\na=rtpmap:111 OPUS/48000/2\r\n", {}));
  ASSERT_TRUE (sdp);
  EXPECT_EQ (sdp->bundle_mids (), (std::vector<std::string> { "0", "1" }));
  /* the group follows t= */
  auto t = std::find (sdp->session.begin (), sdp->session.end (), "t=0 0");
  ASSERT_NE (t, sdp->session.end ());
  EXPECT_EQ (*(t + 1), "a=group:BUNDLE 0 1");
  for (auto &m : sdp->media) {
    EXPECT_EQ (count (m.lines, "a=rtcp-mux-only"), 1) << m.mline;
    EXPECT_EQ (std::count (m.lines.begin (), m.lines.end (), "a=rtcp-mux"), 1)
        << m.mline;
  }
}

TEST (WhipSdp, H264IsOfferedAsConstrainedBaselineMode1)
{
  auto out = *fix_offer (kWebrtcbinOffer, {});
  auto sdp = Sdp::parse (out);
  auto fmtp = sdp->media[0].attrs ("fmtp");
  ASSERT_EQ (fmtp.size (), 1u);
  EXPECT_EQ (fmtp[0], "96 level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=42e01f");
  /* an H264 payload without fmtp gets one right after its rtpmap */
  auto sdp2 = Sdp::parse (*fix_offer ("v=0\r\nt=0 0\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 102 96\r\na=mid:0\r\n"
          "a=rtpmap:102 h264/90000\r\na=rtcp-fb:102 nack\r\n"
          "a=rtpmap:96 VP8/90000\r\n", {}));
  auto &lines = sdp2->media[0].lines;
  auto rtpmap = std::find (lines.begin (), lines.end (), "a=rtpmap:102 h264/90000");
  ASSERT_NE (rtpmap, lines.end ());
  EXPECT_EQ (*(rtpmap + 1), "a=fmtp:102 level-asymmetry-allowed=1;"
      "packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ (count (lines, "a=fmtp:96"), 0) << "VP8 untouched";
}

/* Several H264 formats in one section: every fmtp of an H264 payload is
 * rewritten in place (one pass over the lines), a payload without one gets
 * one after its rtpmap, other codecs' fmtp lines stay as they are. */
TEST (WhipSdp, EveryH264FormatOfASectionIsFixedOnce)
{
  const std::string mode1 = "level-asymmetry-allowed=1;packetization-mode=1;"
      "profile-level-id=42e01f";
  auto out = fix_offer ("v=0\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 100 101 102 96\r\na=mid:0\r\n"
      "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=640032\r\n"
      "a=rtpmap:101 H264/90000\r\n"
      "a=rtpmap:96 VP8/90000\r\na=fmtp:96 max-fr=30\r\n"
      "a=rtpmap:102 H264/90000\r\na=fmtp:102 x-google=1;packetization-mode=0\r\n"
      "a=fmtp:100 sprop-parameter-sets=AAA\r\n", {});
  ASSERT_TRUE (out);
  auto sdp = Sdp::parse (*out);
  auto &lines = sdp->media[0].lines;
  EXPECT_EQ (count (lines, "a=fmtp:100 "), 2);
  for (auto &l : lines)
    if (l.rfind ("a=fmtp:100 ", 0) == 0)
      EXPECT_NE (l.find ("packetization-mode=1"), std::string::npos) << l;
  auto r101 = std::find (lines.begin (), lines.end (), "a=rtpmap:101 H264/90000");
  ASSERT_NE (r101, lines.end ());
  EXPECT_EQ (*(r101 + 1), "a=fmtp:101 " + mode1);
  EXPECT_EQ (count (lines, "a=fmtp:101 "), 1);
  EXPECT_EQ (std::count (lines.begin (), lines.end (),
      "a=fmtp:102 " + mode1 + ";x-google=1"), 1) << "kept parameters";
  EXPECT_EQ (std::count (lines.begin (), lines.end (), "a=fmtp:96 max-fr=30"), 1);
}

static std::string
answer_for (const std::string &dir_video, const std::string &dir_audio,
    int audio_port = 9, bool audio_bundled = true)
{
  return "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "a=group:BUNDLE video0" + std::string (audio_bundled ? " audio1" : "")
      + "\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\na=" + dir_video
      + "\r\na=rtpmap:96 H264/90000\r\n"
      "m=audio " + std::to_string (audio_port) + " UDP/TLS/RTP/SAVPF 97\r\n"
      "a=mid:audio1\r\na=" + dir_audio + "\r\na=rtpmap:97 OPUS/48000/2\r\n";
}

TEST (WhipSdp, AnswerChecks)
{
  EXPECT_TRUE (check_answer (kWebrtcbinOffer, answer_for ("recvonly",
              "recvonly"), "sendonly").empty ());
  /* bundled m-line with port 0 (RFC 8843 answer form) is fine */
  EXPECT_TRUE (check_answer (kWebrtcbinOffer, answer_for ("recvonly",
              "recvonly", 0), "sendonly").empty ());
  /* rejected audio: port 0 and outside the bundle */
  auto p = check_answer (kWebrtcbinOffer, answer_for ("recvonly", "recvonly",
          0, false), "sendonly");
  ASSERT_FALSE (p.empty ());
  EXPECT_NE (p[0].find ("rejected"), std::string::npos) << p[0];
  EXPECT_NE (p[0].find ("audio"), std::string::npos) << p[0];
  /* wrong directions */
  p = check_answer (kWebrtcbinOffer, answer_for ("sendrecv", "recvonly"),
      "sendonly");
  ASSERT_EQ (p.size (), 1u);
  EXPECT_NE (p[0].find ("sendrecv, expected recvonly"), std::string::npos);
  p = check_answer (kWebrtcbinOffer, answer_for ("recvonly", "inactive"),
      "sendonly");
  ASSERT_EQ (p.size (), 1u);
  /* WHEP: recvonly offer wants sendonly */
  EXPECT_TRUE (check_answer (kWebrtcbinOffer, answer_for ("sendonly",
              "sendonly"), "recvonly").empty ());
  EXPECT_FALSE (check_answer (kWebrtcbinOffer, answer_for ("recvonly",
              "sendonly"), "recvonly").empty ());
  /* not SDP, no m-line, missing m-line */
  EXPECT_FALSE (check_answer (kWebrtcbinOffer, "<html>", "sendonly").empty ());
  EXPECT_FALSE (check_answer (kWebrtcbinOffer, "v=0\r\n", "sendonly").empty ());
  EXPECT_FALSE (check_answer (kWebrtcbinOffer, "v=0\r\nt=0 0\r\n"
          "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:video0\r\na=recvonly\r\n",
          "sendonly").empty ());
}

TEST (WhipSdp, TrickleFragmentCarriesOnlyTheFirstBundledMline)
{
  auto t = trickle_target (kWebrtcbinOffer);
  ASSERT_TRUE (t);
  EXPECT_EQ (t->mline, "m=video 9 UDP/TLS/RTP/SAVPF 96");
  EXPECT_EQ (t->mid, "video0");
  EXPECT_EQ (t->ice_ufrag, "UFRAGvideo");
  auto frag = build_sdpfrag (*t, { "candidate:1 1 UDP 2015363327 127.0.0.1 "
          "41000 typ host", "a=candidate:3 1 UDP 1 10.0.0.1 5 typ host\r\n",
          "" }, true);
  EXPECT_EQ (frag,
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=mid:video0\r\n"
      "a=ice-ufrag:UFRAGvideo\r\n"
      "a=ice-pwd:PWDvideoPWDvideoPWDvideo\r\n"
      "a=candidate:1 1 UDP 2015363327 127.0.0.1 41000 typ host\r\n"
      "a=candidate:3 1 UDP 1 10.0.0.1 5 typ host\r\n"
      "a=end-of-candidates\r\n");
  EXPECT_EQ (build_sdpfrag (*t, {}, false).find ("end-of-candidates"),
      std::string::npos);
  /* the BUNDLE tag decides, not the order of m-lines */
  std::string swapped = kWebrtcbinOffer;
  swapped.replace (swapped.find ("a=group:BUNDLE video0 audio1"),
      strlen ("a=group:BUNDLE video0 audio1"), "a=group:BUNDLE audio1 video0");
  EXPECT_EQ (trickle_target (swapped)->mid, "audio1");
  /* session-level credentials */
  auto s = trickle_target ("v=0\r\na=ice-ufrag:S\r\na=ice-pwd:SP\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n");
  ASSERT_TRUE (s);
  EXPECT_EQ (s->ice_ufrag, "S");
  EXPECT_FALSE (trickle_target ("v=0\r\nm=audio 9 RTP/AVP 0\r\n"));
}

TEST (WhipSdp, CandidatesAreCollectedAndStripped)
{
  auto c = candidates_of (kWebrtcbinOffer);
  ASSERT_EQ (c.size (), 2u);
  EXPECT_EQ (c[0], "candidate:1 1 UDP 2015363327 127.0.0.1 41000 typ host");
  auto stripped = strip_candidates (kWebrtcbinOffer);
  EXPECT_EQ (stripped.find ("a=candidate"), std::string::npos);
  EXPECT_NE (stripped.find ("a=mid:audio1"), std::string::npos);
}

TEST (WhipSdp, PlayerAnswerCheckToleratesDeclinedMlines)
{
  std::vector<std::string> active;
  /* audio rejected outright: video still plays */
  EXPECT_TRUE (check_answer_partial (kWebrtcbinOffer, answer_for ("sendonly",
              "sendonly", 0, false), "recvonly", active).empty ());
  EXPECT_EQ (active, std::vector<std::string> { "video" });
  /* audio inactive */
  EXPECT_TRUE (check_answer_partial (kWebrtcbinOffer, answer_for ("sendonly",
              "inactive"), "recvonly", active).empty ());
  EXPECT_EQ (active, std::vector<std::string> { "video" });
  /* both usable */
  EXPECT_TRUE (check_answer_partial (kWebrtcbinOffer, answer_for ("sendonly",
              "sendonly"), "recvonly", active).empty ());
  EXPECT_EQ (active, (std::vector<std::string> { "video", "audio" }));
  /* wrong direction is still a problem, and so is declining everything */
  EXPECT_FALSE (check_answer_partial (kWebrtcbinOffer, answer_for ("recvonly",
              "sendonly"), "recvonly", active).empty ());
  auto p = check_answer_partial (kWebrtcbinOffer, answer_for ("inactive",
          "inactive"), "recvonly", active);
  ASSERT_EQ (p.size (), 1u);
  EXPECT_NE (p[0].find ("declined every"), std::string::npos);
}
