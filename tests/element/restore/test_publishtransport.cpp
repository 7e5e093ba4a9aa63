/* How the RTMP transport classifies rtmp2sink's errors (issue 14 defect 3):
 * a reset or close before the server answered the connect command is a
 * connect failure the server accepted, never counted as a refusal; an
 * established connection the server closes is. Texts as rtmp2sink 1.22
 * posts them (seen against nginx-rtmp and tests/fixtures/hostile.h). */
#include "common/publishtransport.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

using resilient::gst::make_publish_transport;
using resilient::gst::TransportFailure;
using resilient::restore::FailureKind;

namespace {

TransportFailure
classify (GstResourceError code, const char *text)
{
  std::string err;
  auto t = make_publish_transport ("rtmp://127.0.0.1:1935/live/key", err);
  EXPECT_TRUE (t) << err;
  GError *e = g_error_new_literal (GST_RESOURCE_ERROR, code, text);
  GstMessage *m = gst_message_new_error (nullptr, e, nullptr);
  TransportFailure f = t->classify (m);
  gst_message_unref (m);
  g_error_free (e);
  return f;
}

} // namespace

TEST (RtmpClassify, ResetDuringTheConnectIsAnAcceptedConnectFailure)
{
  for (const char *text :
       { "Failed to connect: Error receiving data: Connection reset by peer",
         "Failed to connect: Could not connect to 127.0.0.1: Connection "
         "reset by peer",
         "Failed to connect: 'connect' cmd failed: Error receiving data: "
         "Connection reset by peer" }) {
    auto f = classify (GST_RESOURCE_ERROR_FAILED, text);
    EXPECT_EQ (f.kind, FailureKind::ConnectFailed) << text;
    EXPECT_TRUE (f.accepted) << text;
    EXPECT_FALSE (f.closed_by_peer) << text;
  }
}

TEST (RtmpClassify, RefusedConnectAndAnEstablishedCloseAreToldApart)
{
  struct Case
  {
    GstResourceError code;
    const char *text;
    FailureKind kind;
    bool accepted, closed_by_peer;
  };
  const Case cases[] = {
    /* Nothing accepted the connection. */
    { GST_RESOURCE_ERROR_OPEN_READ,
      "Connection refused: Could not connect to 127.0.0.1: Connection "
      "refused",
      FailureKind::ConnectFailed, false, false },
    /* What nginx-rtmp's `deny publish` looks like: counts for the
     * refusal. */
    { GST_RESOURCE_ERROR_FAILED,
      "Connection error: Error receiving data: Connection reset by peer",
      FailureKind::ServerLost, true, true },
  };
  for (const auto &c : cases) {
    auto f = classify (c.code, c.text);
    EXPECT_EQ (f.kind, c.kind) << c.text;
    EXPECT_EQ (f.accepted, c.accepted) << c.text;
    EXPECT_EQ (f.closed_by_peer, c.closed_by_peer) << c.text;
  }
}

TEST (RtmpClassify, AStreamNameStillTakenIsAnAcceptedConnectFailure)
{
  /* nginx-rtmp's answer to a publish while it still holds the previous
   * session of the same stream (a republish after a stall): transient,
   * never the fatal refusal of a stream key. */
  auto f = classify (
      GST_RESOURCE_ERROR_FAILED,
      "Failed to connect: publish denied; stream already exists: { "
      "\"level\": \"error\", \"code\": \"NetStream.Publish.BadName\", "
      "\"description\": \"Already publishing\" }");
  EXPECT_EQ (f.kind, FailureKind::ConnectFailed);
  EXPECT_TRUE (f.accepted);
  EXPECT_FALSE (f.closed_by_peer);
}

TEST (RtmpClassify, NotAuthorizedStaysARefusal)
{
  auto f = classify (GST_RESOURCE_ERROR_NOT_AUTHORIZED,
                     "Not authorized to connect: bad password");
  EXPECT_EQ (f.kind, FailureKind::Refused);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
