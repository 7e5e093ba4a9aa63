/* Redact: the one redaction of secrets, rule by rule and scheme by scheme. */
#include "resilient/core/redact.h"

#include <gtest/gtest.h>

using resilient::Redact;

TEST (Redact, UserinfoOfEverySchemeIsHidden)
{
  EXPECT_EQ (Redact::uri ("rtsp://admin:hunter2@cam/stream"),
             "rtsp://***@cam/stream");
  EXPECT_EQ (Redact::uri ("http://user:pw@h:8080/a.m3u8"),
             "http://***@h:8080/a.m3u8");
  /* the WHIP/WHEP bearer token given as userinfo */
  EXPECT_EQ (Redact::uri ("whep://SeCrEt@h/whep/room"),
             "whep://***@h/whep/room");
  /* an @ in the path is not userinfo */
  EXPECT_EQ (Redact::uri ("http://h/a@b"), "http://h/a@b");
}

TEST (Redact, SecretQueryParametersKeepTheirNameOnly)
{
  EXPECT_EQ (Redact::uri ("https://cdn/live.m3u8?token=abc123&x=1"),
             "https://cdn/live.m3u8?token=***&x=1");
  EXPECT_EQ (Redact::uri ("http://h/p?X-Amz-Signature=ff&Access_Token=t"),
             "http://h/p?X-Amz-Signature=***&Access_Token=***");
  EXPECT_EQ (Redact::uri ("http://h/p?hdnts-token=a&password=b&apikey=c&q"),
             "http://h/p?hdnts-token=***&password=***&apikey=***&q");
  EXPECT_EQ (Redact::uri ("http://h/p?width=3#access_token=zz"),
             "http://h/p?width=3#access_token=***");
  EXPECT_EQ (Redact::uri ("http://h/p#chapter2"), "http://h/p#chapter2");
}

TEST (Redact, RtmpStreamKeyIsEverythingAfterTheApplication)
{
  EXPECT_EQ (Redact::uri ("rtmp://host/live/KEY"), "rtmp://host/live/***");
  EXPECT_EQ (Redact::uri ("rtmps://u:p@host:443/app/inst/KEY?x=1"),
             "rtmps://***@host:443/app/***?x=1");
  EXPECT_EQ (Redact::uri ("RTMP://host:1935/live/KEY"),
             "RTMP://host:1935/live/***");
  /* no key: nothing to hide */
  EXPECT_EQ (Redact::uri ("rtmp://host/live"), "rtmp://host/live");
  EXPECT_EQ (Redact::uri ("rtmp://host/live/"), "rtmp://host/live/");
  /* the key rule is RTMP's alone */
  EXPECT_EQ (Redact::uri ("http://host/live/index.m3u8"),
             "http://host/live/index.m3u8");
}

TEST (Redact, SrtStreamidAndPassphrase)
{
  EXPECT_EQ (
      Redact::uri ("srt://h:9000?mode=caller&streamid=#!::r=live,m=publish,"
                   "s=KEY&passphrase=longsecret1"),
      "srt://h:9000?mode=caller&streamid=***&passphrase=***");
}

TEST (Redact, HeadersWithSecretsAreMasked)
{
  EXPECT_EQ (Redact::header ("Authorization", "Bearer abc.def"), "Bearer ***");
  EXPECT_EQ (Redact::header ("proxy-authorization", "Basic dXNlcjpwdw=="),
             "Basic ***");
  EXPECT_EQ (Redact::header ("Cookie", "sid=42"), "***");
  EXPECT_EQ (Redact::header ("X-Api-Key", "k"), "***");
  EXPECT_EQ (Redact::header ("Content-Type", "application/sdp"),
             "application/sdp");
  EXPECT_EQ (Redact::header ("Location", "http://h/s?token=t"),
             "http://h/s?token=***");
}

TEST (Redact, FreeTextHasEveryUriAndBearerTokenRedacted)
{
  EXPECT_EQ (Redact::text ("Could not connect to rtmp://h/live/KEY: refused; "
                           "also (http://u:p@h/x?token=T)"),
             "Could not connect to rtmp://h/live/***: refused; also "
             "(http://***@h/x?token=***)");
  EXPECT_EQ (Redact::text ("sent Authorization: Bearer s3cr3t, got 401"),
             "sent Authorization: Bearer ***, got 401");
  EXPECT_EQ (Redact::text ("no uri here"), "no uri here");
  EXPECT_EQ (Redact::text (""), "");
  EXPECT_EQ (Redact::text ("uri=\"srt://h:1?passphrase=x\""),
             "uri=\"srt://h:1?passphrase=***\"");
}

TEST (Redact, NothingSecretIsLeftUnchanged)
{
  for (const char *u : { "file:///srv/slate.mp4", "http://127.0.0.1:8080/a",
                         "cluster://eu/main", "srt://h:9000?mode=caller" })
    EXPECT_EQ (Redact::uri (u), u);
}
