/* reswhepsrc against the strict WHEP test server on loopback: media decoded
 * here, the HTTP conversation checked there. */
#include "harness.h"
#include "fixtures/whipserver.h"

#include <gtest/gtest.h>

using fixtures::ScriptedResponse;
using fixtures::WhipTestServer;
using namespace std::chrono_literals;
using whiptest::PadCounter;
using whiptest::Pipeline;

static WhipTestServer::Options
whep_options ()
{
  WhipTestServer::Options o;
  o.kind = WhipTestServer::Kind::Whep;
  o.path = "/whep/cam";
  return o;
}

TEST (Whep, PlaysVp8AndOpusDecoded)
{
  auto o = whep_options ();
  o.token = "play-token";
  WhipTestServer server (o);
  std::string uri = "whep://127.0.0.1:" + std::to_string (server.port ())
      + "/whep/cam";
  Pipeline p ("reswhepsrc name=src uri=" + uri + " token=play-token");
  ASSERT_NE (p.get (), nullptr) << p.errors ();
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  PadCounter audio (p.get (), src, "audio_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] {
    return video.count () >= 10 && audio.count () >= 5;
  }, 15s)) << "video " << video.count () << " audio " << audio.count ()
      << "\nerrors: " << p.errors () << "\nrefusal: " << server.last_refusal ();
  EXPECT_NE (video.caps ().find ("video/x-raw"), std::string::npos)
      << video.caps ();
  EXPECT_NE (audio.caps ().find ("audio/x-raw"), std::string::npos)
      << audio.caps ();
  EXPECT_TRUE (p.has_message ("reswhepsrc-connected"));
  EXPECT_TRUE (p.has_message ("reswhepsrc-first-media"));
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
  for (auto &r : server.requests ())
    if (r.method != "OPTIONS")
      EXPECT_EQ (r.authorization, "Bearer play-token") << r.method;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  whiptest::register_elements ();
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
