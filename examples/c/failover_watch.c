/* gst-resilient C example: a failoversrc player that prints every
 * failoversrc message, reads `statistics` once a second and switches
 * inputs by hand with the `switch-to` action signal.
 *
 *   failover-watch [--duration SECONDS] [--switch SECONDS:INDEX] URI...
 *
 * Built by meson as build/examples/c/failover-watch. It only needs
 * gstreamer-1.0: the elements are found through the registry like any
 * plugin (installed, or GST_PLUGIN_PATH=build/gst/resilient).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *src;
  int result;
} App;

static gboolean
on_message (GstBus *bus, GstMessage *msg, gpointer data)
{
  App *app = data;
  (void)bus;
  switch (GST_MESSAGE_TYPE (msg)) {
  case GST_MESSAGE_ELEMENT:
    if (GST_MESSAGE_SRC (msg) == GST_OBJECT (app->src)) {
      const GstStructure *s = gst_message_get_structure (msg);
      if (gst_structure_has_name (s, "failoversrc-switch")) {
        gint from = -1, to = -1;
        guint64 gap = 0;
        gst_structure_get_int (s, "from-index", &from);
        gst_structure_get_int (s, "to-index", &to);
        gst_structure_get_uint64 (s, "gap-ms", &gap);
        printf ("switch %d -> %d (%s), gap %" G_GUINT64_FORMAT " ms\n", from,
                to, gst_structure_get_string (s, "reason"), gap);
      } else {
        gchar *str = gst_structure_to_string (s);
        printf ("%s\n", str);
        g_free (str);
      }
      fflush (stdout);
    }
    break;
  case GST_MESSAGE_WARNING: {
    GError *err = NULL;
    gst_message_parse_warning (msg, &err, NULL);
    printf ("warning: %s\n", err->message);
    fflush (stdout);
    g_error_free (err);
    break;
  }
  case GST_MESSAGE_ERROR: {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    fprintf (stderr, "error: %s\n", err->message);
    g_error_free (err);
    app->result = 1;
    g_main_loop_quit (app->loop);
    break;
  }
  case GST_MESSAGE_EOS:
    g_main_loop_quit (app->loop);
    break;
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
print_statistics (gpointer data)
{
  App *app = data;
  GstStructure *stats = NULL;
  guint64 switches = 0, backup_ms = 0;
  gint active = -1;
  GEnumValue *status;

  g_object_get (app->src, "statistics", &stats, NULL);
  gst_structure_get_uint64 (stats, "num-switches", &switches);
  gst_structure_get_uint64 (stats, "time-on-backup-ms", &backup_ms);
  gst_structure_get_int (stats, "active-index", &active);
  /* Enum properties: the nick is the short name the docs use. */
  {
    GParamSpec *ps = g_object_class_find_property (
        G_OBJECT_GET_CLASS (app->src), "status");
    GEnumClass *ec = G_PARAM_SPEC_ENUM (ps)->enum_class;
    gint s = 0;
    g_object_get (app->src, "status", &s, NULL);
    status = g_enum_get_value (ec, s);
  }
  printf ("status=%s active=%d switches=%" G_GUINT64_FORMAT
          " on-backup=%" G_GUINT64_FORMAT " ms\n",
          status ? status->value_nick : "?", active, switches, backup_ms);
  fflush (stdout);
  gst_structure_free (stats);
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  App *app;
  gint index;
} Switch;

static gboolean
do_switch (gpointer data)
{
  Switch *sw = data;
  gboolean ok = FALSE;
  g_signal_emit_by_name (sw->app->src, "switch-to", sw->index, &ok);
  printf ("switch-to %d: %s\n", sw->index, ok ? "accepted" : "refused");
  fflush (stdout);
  return G_SOURCE_REMOVE;
}

static gboolean
stop (gpointer data)
{
  g_main_loop_quit (((App *)data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  App app = { 0 };
  GString *uris = g_string_new (NULL);
  GstElement *pipeline, *vsink, *asink;
  GstBus *bus;
  double duration = 0;
  int i;

  gst_init (&argc, &argv);
  for (i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--duration") && i + 1 < argc) {
      duration = g_ascii_strtod (argv[++i], NULL);
    } else if (!strcmp (argv[i], "--switch") && i + 1 < argc) {
      Switch *sw = g_new0 (Switch, 1);
      char *colon;
      const char *arg = argv[++i];
      sw->app = &app;
      colon = strchr (arg, ':');
      if (!colon) {
        fprintf (stderr, "--switch wants SECONDS:INDEX, got '%s'\n", arg);
        return 2;
      }
      sw->index = atoi (colon + 1);
      g_timeout_add_full (G_PRIORITY_DEFAULT,
                          (guint)(g_ascii_strtod (arg, NULL) * 1000), do_switch,
                          sw, g_free);
    } else {
      if (uris->len)
        g_string_append (uris, " | ");
      g_string_append (uris, argv[i]);
    }
  }
  if (!uris->len) {
    fprintf (stderr, "usage: %s [--duration S] [--switch S:INDEX] URI...\n",
             argv[0]);
    return 2;
  }

  app.src = gst_element_factory_make ("failoversrc", "input");
  if (!app.src) {
    fprintf (stderr, "failoversrc not found (is gst-resilient installed, or "
                     "GST_PLUGIN_PATH set to build/gst/resilient?)\n");
    return 1;
  }
  g_object_set (app.src, "uris", uris->str, NULL);
  g_string_free (uris, TRUE);
  pipeline = gst_pipeline_new ("watch");
  vsink = gst_element_factory_make ("fakesink", "video-sink");
  asink = gst_element_factory_make ("fakesink", "audio-sink");
  g_object_set (vsink, "sync", TRUE, NULL);
  g_object_set (asink, "sync", TRUE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), app.src, vsink, asink, NULL);
  gst_element_link_pads (app.src, "video", vsink, "sink");
  gst_element_link_pads (app.src, "audio", asink, "sink");

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_message, &app);
  g_timeout_add (1000, print_statistics, &app);
  if (duration > 0)
    g_timeout_add ((guint)(duration * 1000), stop, &app);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (app.loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_main_loop_unref (app.loop);
  return app.result;
}
