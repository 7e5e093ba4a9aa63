/* Helpers of the ecosystem tests: run a command and capture its output,
 * wait for a line in a file, read the tracer's JSON-lines event log. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace eco_test {

struct Ran
{
  int status = -1; /* exit status, -1 when it did not exit normally */
  std::string out; /* stdout + stderr */
};

/* Runs argv (PATH searched) with `env` (nullptr: inherited), stdout and
 * stderr merged, and waits for it. */
inline Ran
run (const std::vector<std::string> &argv, gchar **env = nullptr)
{
  std::vector<gchar *> a;
  for (auto &s : argv)
    a.push_back ((gchar *)s.c_str ());
  a.push_back (nullptr);
  Ran r;
  gchar *out = nullptr, *err = nullptr;
  gint status = 0;
  GError *e = nullptr;
  if (!g_spawn_sync (nullptr, a.data (), env, G_SPAWN_SEARCH_PATH, nullptr,
                     nullptr, &out, &err, &status, &e)) {
    r.out = std::string ("cannot run ") + argv[0] + ": " + e->message;
    g_error_free (e);
    return r;
  }
  r.out = std::string (out ? out : "") + (err ? err : "");
  g_free (out);
  g_free (err);
  r.status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return r;
}

inline std::string
read_file (const std::string &path)
{
  std::ifstream f (path);
  std::stringstream ss;
  ss << f.rdbuf ();
  return ss.str ();
}

inline bool
wait_until (const std::function<bool ()> &pred,
            std::chrono::milliseconds timeout)
{
  auto end = std::chrono::steady_clock::now () + timeout;
  while (std::chrono::steady_clock::now () < end) {
    if (pred ())
      return true;
    std::this_thread::sleep_for (std::chrono::milliseconds (100));
  }
  return pred ();
}

/* One parsed line of the event log (the node is owned). */
struct Event
{
  std::string element, event;
  JsonObject *fields = nullptr;
  JsonNode *root = nullptr;
  Event () = default;
  Event (const Event &o) : element (o.element), event (o.event)
  {
    root = o.root ? json_node_copy (o.root) : nullptr;
    fields = root ? json_object_get_object_member (json_node_get_object (root),
                                                   "fields")
                  : nullptr;
  }
  ~Event ()
  {
    if (root)
      json_node_unref (root);
  }
  gint64 get_int (const char *name, gint64 dflt = G_MININT64) const
  {
    return fields && json_object_has_member (fields, name)
               ? json_object_get_int_member (fields, name)
               : dflt;
  }
  std::string get_string (const char *name) const
  {
    return fields && json_object_has_member (fields, name)
               ? json_object_get_string_member (fields, name)
               : "";
  }
};

/* Parses every line; a line that is not a JSON object with time, event and
 * fields makes `bad` non-empty. */
inline std::vector<Event>
read_events (const std::string &path, std::string *bad = nullptr)
{
  std::vector<Event> out;
  std::istringstream in (read_file (path));
  std::string line;
  while (std::getline (in, line)) {
    JsonParser *p = json_parser_new ();
    if (!json_parser_load_from_data (p, line.c_str (), -1, nullptr)
        || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p))) {
      if (bad)
        *bad = line;
      g_object_unref (p);
      continue;
    }
    JsonObject *o = json_node_get_object (json_parser_get_root (p));
    if (!json_object_has_member (o, "time")
        || !json_object_has_member (o, "event")
        || !json_object_has_member (o, "fields")) {
      if (bad)
        *bad = line;
      g_object_unref (p);
      continue;
    }
    Event e;
    e.root = json_node_copy (json_parser_get_root (p));
    JsonObject *ro = json_node_get_object (e.root);
    e.event = json_object_get_string_member (ro, "event");
    e.element = json_object_has_member (ro, "element")
                    ? json_object_get_string_member (ro, "element")
                    : "";
    e.fields = json_object_get_object_member (ro, "fields");
    out.push_back (e);
    g_object_unref (p);
  }
  return out;
}

inline size_t
count_switches_to (const std::string &log, int to,
                   const std::string &reason = "")
{
  size_t n = 0;
  for (auto &e : read_events (log))
    if (e.event == "switch" && e.get_int ("to-index") == to
        && (reason.empty () || e.get_string ("reason") == reason))
      n++;
  return n;
}

} // namespace eco_test
