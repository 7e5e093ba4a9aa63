/* Discovery answers, content-steering manifests and status callbacks: what
 * is accepted, and that garbage is refused with a reason. */
#include "resilient/cluster/discovery.h"
#include "resilient/cluster/json.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::cluster;

TEST (Json, ParsesNestedDocuments)
{
  auto v = parse_json (R"( {"a": [1, 2.5e1, -0.5, true, null],
      "b": {"c": "x\"\u00e9\ud83d\ude00"}} )");
  ASSERT_TRUE (v);
  EXPECT_EQ (v->get ("a")->items ().size (), 5u);
  EXPECT_DOUBLE_EQ (v->get ("a")->items ()[1].as_number (), 25.0);
  EXPECT_EQ (v->path ("b.c")->as_string (), "x\"\xc3\xa9\xf0\x9f\x98\x80");
}

TEST (Json, RefusesGarbage)
{
  for (const char *bad :
       { "", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "nul", "01", "\"\\q\"",
         "{a:1}", "<html>500</html>", "\"\x01\"" })
    EXPECT_FALSE (parse_json (bad)) << bad;
  std::string deep (200, '[');
  EXPECT_FALSE (parse_json (deep + std::string (200, ']')));
  EXPECT_EQ (json_quote ("a\"b\n"), "\"a\\\"b\\n\"");
}

TEST (Discovery, ReadsTheSeedsSignallingUri)
{
  std::string err;
  auto a = parse_discovery (R"({"connection": {"signallingUri":
      "wss://edge-3.example/webrtc/abc"}, "ttl": 12})",
                            err);
  ASSERT_TRUE (a) << err;
  ASSERT_TRUE (a->endpoint);
  EXPECT_EQ (a->endpoint->url, "wss://edge-3.example/webrtc/abc");
  EXPECT_EQ (to_ms (*a->endpoint->ttl), 12000);
  auto b = parse_discovery (R"({"url": "rtmp://b/live/s"})", err);
  ASSERT_TRUE (b && b->endpoint);
  EXPECT_FALSE (b->endpoint->ttl);
}

TEST (Discovery, RefusesAnswersWithoutAUsableEndpoint)
{
  std::string err;
  EXPECT_FALSE (parse_discovery ("Internal Server Error", err));
  EXPECT_EQ (err, "answer is not JSON");
  EXPECT_FALSE (parse_discovery ("[1,2]", err));
  EXPECT_FALSE (parse_discovery (R"({"connection": {}})", err));
  EXPECT_NE (err.find ("no endpoint"), std::string::npos);
  EXPECT_FALSE (parse_discovery (R"({"uri": 5})", err));
  EXPECT_FALSE (parse_discovery (R"({"uri": "not a url"})", err));
}

TEST (Discovery, ReadsAContentSteeringManifest)
{
  std::string err;
  auto a = parse_discovery (R"({"VERSION": 1, "TTL": 30,
      "RELOAD-URI": "https://steer.example/next",
      "PATHWAY-PRIORITY": ["b:1935", "clone", "nope", "direct"],
      "PATHWAY-URIS": {"direct": "srt://d.example:9000"},
      "PATHWAY-CLONES": [{"BASE-ID": "b:1935", "ID": "clone",
        "URI-REPLACEMENT": {"HOST": "b2.example"}}]})",
                            err);
  ASSERT_TRUE (a) << err;
  ASSERT_TRUE (a->steering);
  EXPECT_EQ (to_ms (a->steering->ttl), 30000);
  std::vector<Host> configured{ { "rtmp://a:1935/live", 1 },
                                { "rtmp://b:1935/live", 1 } };
  auto hosts = steering_hosts (*a->steering, configured);
  ASSERT_EQ (hosts.size (), 3u);
  EXPECT_EQ (hosts[0].url, "rtmp://b:1935/live");
  EXPECT_EQ (hosts[1].url, "rtmp://b2.example:1935/live");
  EXPECT_EQ (hosts[2].url, "srt://d.example:9000");
}

TEST (Discovery, RefusesBrokenSteeringManifests)
{
  std::string err;
  EXPECT_FALSE (
      parse_discovery (R"({"VERSION": 2, "PATHWAY-PRIORITY": ["a"]})", err));
  EXPECT_FALSE (parse_discovery (R"({"PATHWAY-PRIORITY": []})", err));
  EXPECT_FALSE (parse_discovery (R"({"PATHWAY-PRIORITY": [1]})", err));
  EXPECT_FALSE (
      parse_discovery (R"({"PATHWAY-PRIORITY": ["a"], "TTL": "x"})", err));
}

TEST (Discovery, ReplacesUrlHosts)
{
  EXPECT_EQ (url_authority ("rtmp://u:p@a.example:1935/live"),
             "a.example:1935");
  EXPECT_EQ (replace_url_host ("rtmp://a:1935/live", "z"),
             "rtmp://z:1935/live");
  EXPECT_EQ (replace_url_host ("http://a/x", "z:8080"), "http://z:8080/x");
}

TEST (StatusCallback, AcceptsCeeblueStyleAndHostReports)
{
  std::vector<Host> hosts{ { "rtmp://a/live", 1 }, { "rtmp://b/live", 1 } };
  std::string err;
  auto r = parse_status_report ("cam1", R"({"status": "offline"})", hosts, err);
  ASSERT_TRUE (r) << err;
  EXPECT_EQ (r->stream, "cam1");
  EXPECT_FALSE (r->online);
  EXPECT_TRUE (r->host.empty ());
  r = parse_status_report ("cam1", R"({"event": "stream.online"})", hosts, err);
  ASSERT_TRUE (r);
  EXPECT_TRUE (r->online);
  r = parse_status_report ("", R"({"host": 1, "online": false})", hosts, err);
  ASSERT_TRUE (r) << err;
  EXPECT_TRUE (r->stream.empty ());
  EXPECT_EQ (r->host, "rtmp://b/live");
  r = parse_status_report ("", R"({"alias": "x", "host": "rtmp://a/live/",
      "state": "DOWN"})",
                           hosts, err);
  ASSERT_TRUE (r);
  EXPECT_EQ (r->stream, "x");
  EXPECT_EQ (r->host, "rtmp://a/live");
}

TEST (StatusCallback, RefusesReportsItCannotUse)
{
  std::vector<Host> hosts{ { "rtmp://a/live", 1 } };
  std::string err;
  EXPECT_FALSE (parse_status_report ("cam1", "offline", hosts, err));
  EXPECT_FALSE (
      parse_status_report ("cam1", R"({"status": "meh"})", hosts, err));
  EXPECT_FALSE (parse_status_report ("", R"({"status": "down"})", hosts, err));
  EXPECT_FALSE (
      parse_status_report ("", R"({"host": 3, "status": "down"})", hosts, err));
  EXPECT_EQ (err, "host index out of range");
}
