/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The patient list model: search by name and MRN (case-insensitive), the
 * filter modes, and items-changed telling views exactly what changed. Every
 * items-changed is replayed onto a mirror list, which must always equal the
 * model: a wrong position or count shows up as a mismatch. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "traj-patient-list.h"
#include "traj-search.h"
#include "traj-store.h"

/* ---- summaries ----------------------------------------------------------- */

static TrajPatientSummary *
summary_new (gint64 id, const char *name, const char *mrn)
{
  TrajPatientSummary *s = g_new0 (TrajPatientSummary, 1);
  g_autofree char *key = g_strconcat (name, "\n", mrn, NULL);

  s->id = id;
  s->uid = g_strdup_printf ("uid-%" G_GINT64_FORMAT, id);
  s->name = g_strdup (name);
  s->mrn = g_strdup (mrn);
  s->birth_day = traj_day_from_ymd (1980, 1, 1);
  s->has_course = TRUE;
  s->course_status = TRAJ_COURSE_INDUCTION;
  s->primary_scale = TRAJ_SCALE_PHQ9;
  s->latest_score = s->previous_score = -1;
  s->open_findings = 0;
  /* What the store puts there: name and MRN, folded for search. */
  s->search_key = traj_search_fold (key);
  return s;
}

/* Five patients in display (name) order. */
static GPtrArray *
sample (void)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
  TrajPatientSummary *s;

  g_ptr_array_add (a, summary_new (1, "Ada Abbott", "MRN-0001"));
  s = summary_new (2, "Ben Bianchi", "MRN-0002");
  s->open_findings = 2;                   /* needs attention */
  g_ptr_array_add (a, s);
  s = summary_new (3, "Carmen Castillo", "X-77");
  s->course_status = TRAJ_COURSE_ENDED;   /* not active */
  g_ptr_array_add (a, s);
  s = summary_new (4, "Dev Delgado", "mrn-0104");
  s->safety_open = TRUE;                  /* needs attention */
  s->has_course = FALSE;                  /* not active */
  g_ptr_array_add (a, s);
  s = summary_new (5, "Elsa Öberg", "MRN-0005");
  s->course_status = TRAJ_COURSE_MAINTENANCE;
  g_ptr_array_add (a, s);
  return a;
}

/* ---- a view that follows items-changed ------------------------------------ */

typedef struct {
  guint position, removed, added;
} Change;

typedef struct {
  GListModel *model;
  GArray *mirror;      /* gint64 ids, as a view would show them */
  GArray *changes;     /* Change, since the last reset */
} View;

static gint64
model_id (GListModel *model, guint position)
{
  g_autoptr(TrajPatientItem) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  return traj_patient_item_get_id (item);
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, View *view)
{
  Change c = { position, removed, added };

  g_array_append_val (view->changes, c);
  g_assert_cmpuint (position + removed, <=, view->mirror->len);
  g_array_remove_range (view->mirror, position, removed);
  for (guint k = 0; k < added; k++)
    {
      gint64 id = model_id (model, position + k);
      g_array_insert_val (view->mirror, position + k, id);
    }
}

static void
view_init (View *view, TrajPatientList *list)
{
  view->model = G_LIST_MODEL (list);
  view->mirror = g_array_new (FALSE, FALSE, sizeof (gint64));
  view->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  for (guint k = 0; k < g_list_model_get_n_items (view->model); k++)
    {
      gint64 id = model_id (view->model, k);
      g_array_append_val (view->mirror, id);
    }
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), view);
}

static void
view_clear (View *view)
{
  g_signal_handlers_disconnect_by_data (view->model, view);
  g_array_unref (view->mirror);
  g_array_unref (view->changes);
}

/* The mirror equals the model, and the model shows exactly @ids. */
static void
view_check (View *view, const gint64 *ids, guint n)
{
  g_assert_cmpuint (g_list_model_get_n_items (view->model), ==, n);
  g_assert_cmpuint (view->mirror->len, ==, n);
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpint (model_id (view->model, k), ==, ids[k]);
      g_assert_cmpint (g_array_index (view->mirror, gint64, k), ==, ids[k]);
    }
  g_assert_null (g_list_model_get_item (view->model, n));
}

/* Exactly one items-changed since the last call, with these numbers. */
static void
expect_change (View *view, guint position, guint removed, guint added)
{
  Change *c;

  g_assert_cmpuint (view->changes->len, ==, 1);
  c = &g_array_index (view->changes, Change, 0);
  g_assert_cmpuint (c->position, ==, position);
  g_assert_cmpuint (c->removed, ==, removed);
  g_assert_cmpuint (c->added, ==, added);
  g_array_set_size (view->changes, 0);
}

static void
expect_no_change (View *view)
{
  g_assert_cmpuint (view->changes->len, ==, 0);
}

#define CHECK(view, ...) G_STMT_START {                         \
    const gint64 ids_[] = { __VA_ARGS__ };                      \
    view_check ((view), ids_, G_N_ELEMENTS (ids_));             \
  } G_STMT_END
#define CHECK_EMPTY(view) view_check ((view), NULL, 0)

/* ---- tests ------------------------------------------------------------------ */

static void
test_model_basics (void)
{
  TrajPatientList *list = traj_patient_list_new ();
  View view;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == TRAJ_TYPE_PATIENT_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  view_init (&view, list);

  traj_patient_list_set_patients (list, sample ());
  expect_change (&view, 0, 0, 5);
  CHECK (&view, 1, 2, 3, 4, 5);
  g_assert_cmpuint (traj_patient_list_get_n_total (list), ==, 5);
  g_assert_cmpint (traj_patient_list_find (list, 3), ==, 2);
  g_assert_cmpint (traj_patient_list_find (list, 99), ==, -1);
  g_assert_cmpstr (traj_patient_list_lookup (list, 4)->name, ==, "Dev Delgado");
  g_assert_null (traj_patient_list_lookup (list, 99));
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (list), 1);
    const TrajPatientSummary *s = traj_patient_item_get_summary (item);
    g_assert_cmpstr (s->name, ==, "Ben Bianchi");
    g_assert_cmpstr (s->mrn, ==, "MRN-0002");
    g_assert_cmpint (s->open_findings, ==, 2);
  }

  /* Replacing every row: all out, all in. */
  {
    GPtrArray *two = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
    g_ptr_array_add (two, summary_new (7, "Gita Garcia", "G-1"));
    g_ptr_array_add (two, summary_new (8, "Hugo Haddad", "H-1"));
    traj_patient_list_set_patients (list, two);
  }
  expect_change (&view, 0, 5, 2);
  CHECK (&view, 7, 8);

  /* Empty to empty says nothing. */
  traj_patient_list_set_patients (list, g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free));
  expect_change (&view, 0, 2, 0);
  traj_patient_list_set_patients (list, g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free));
  expect_no_change (&view);
  CHECK_EMPTY (&view);

  view_clear (&view);
  g_assert_finalize_object (list);
}

static void
test_search (void)
{
  TrajPatientList *list = traj_patient_list_new ();
  View view;

  traj_patient_list_set_patients (list, sample ());
  view_init (&view, list);

  /* By name, any case, any part. */
  traj_patient_list_set_search (list, "ada");
  expect_change (&view, 0, 5, 1);
  CHECK (&view, 1);
  traj_patient_list_set_search (list, "ADA");
  expect_no_change (&view);   /* same search, folded */
  CHECK (&view, 1);
  traj_patient_list_set_search (list, "aBBoTT");
  expect_change (&view, 0, 1, 1);
  CHECK (&view, 1);
  traj_patient_list_set_search (list, "castillo");
  CHECK (&view, 3);
  traj_patient_list_set_search (list, "a");
  CHECK (&view, 1, 2, 3, 4, 5);
  /* Non-ASCII letters fold too. */
  traj_patient_list_set_search (list, "ÖBERG");
  CHECK (&view, 5);
  traj_patient_list_set_search (list, "elsa ö");
  CHECK (&view, 5);

  /* By MRN, any case. */
  traj_patient_list_set_search (list, "mrn-000");
  CHECK (&view, 1, 2, 5);
  traj_patient_list_set_search (list, "MRN-01");
  CHECK (&view, 4);
  traj_patient_list_set_search (list, "x-77");
  CHECK (&view, 3);
  traj_patient_list_set_search (list, "0002");
  CHECK (&view, 2);

  /* Surrounding spaces do not count; nothing matching is an empty list. */
  traj_patient_list_set_search (list, "  ben  ");
  CHECK (&view, 2);
  g_array_set_size (view.changes, 0);
  traj_patient_list_set_search (list, "zzz");
  expect_change (&view, 0, 1, 0);
  CHECK_EMPTY (&view);
  traj_patient_list_set_search (list, "qqq");
  expect_no_change (&view);   /* empty before and after */

  /* Clearing the search shows everyone again. */
  traj_patient_list_set_search (list, "");
  expect_change (&view, 0, 0, 5);
  CHECK (&view, 1, 2, 3, 4, 5);
  traj_patient_list_set_search (list, NULL);
  expect_no_change (&view);
  traj_patient_list_set_search (list, "   ");
  expect_no_change (&view);
  CHECK (&view, 1, 2, 3, 4, 5);

  view_clear (&view);
  g_assert_finalize_object (list);
}

static void
test_filters (void)
{
  TrajPatientList *list = traj_patient_list_new ();
  View view;

  traj_patient_list_set_patients (list, sample ());
  view_init (&view, list);

  g_assert_cmpuint (traj_patient_list_count (list, TRAJ_PATIENT_FILTER_ALL), ==, 5);
  g_assert_cmpuint (traj_patient_list_count (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION), ==, 2);
  g_assert_cmpuint (traj_patient_list_count (list, TRAJ_PATIENT_FILTER_ACTIVE_COURSE), ==, 3);

  /* Open findings or an unacknowledged safety finding. */
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  expect_change (&view, 0, 5, 2);
  /* A work list: the safety finding first. */
  CHECK (&view, 4, 2);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  expect_no_change (&view);

  /* A course that has not ended (induction or maintenance). */
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_ACTIVE_COURSE);
  expect_change (&view, 0, 2, 3);
  CHECK (&view, 1, 2, 5);

  /* Filter and search together; counts ignore the search. */
  traj_patient_list_set_search (list, "mrn-000");
  CHECK (&view, 1, 2, 5);
  traj_patient_list_set_search (list, "b");
  CHECK (&view, 1, 2, 5);
  traj_patient_list_set_search (list, "bianchi");
  CHECK (&view, 2);
  g_assert_cmpuint (traj_patient_list_count (list, TRAJ_PATIENT_FILTER_ACTIVE_COURSE), ==, 3);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  CHECK (&view, 2);
  traj_patient_list_set_search (list, "delgado");
  CHECK (&view, 4);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_ACTIVE_COURSE);
  CHECK_EMPTY (&view);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_ALL);
  CHECK (&view, 4);
  /* find() is about the filtered view. */
  g_assert_cmpint (traj_patient_list_find (list, 4), ==, 0);
  g_assert_cmpint (traj_patient_list_find (list, 1), ==, -1);
  /* lookup() is about everyone. */
  g_assert_nonnull (traj_patient_list_lookup (list, 1));

  /* Open findings not computed yet (-1) is not "needs attention". */
  {
    GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
    TrajPatientSummary *s = summary_new (9, "Ivy Ivanova", "I-9");
    s->open_findings = -1;
    g_ptr_array_add (a, s);
    traj_patient_list_set_search (list, NULL);
    traj_patient_list_set_patients (list, a);
    g_assert_cmpuint (traj_patient_list_count (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION), ==, 0);
  }

  view_clear (&view);
  g_assert_finalize_object (list);
}

static void
test_update (void)
{
  TrajPatientList *list = traj_patient_list_new ();
  g_autoptr(TrajPatientItem) before = NULL;
  TrajPatientSummary *s;
  View view;

  traj_patient_list_set_patients (list, sample ());
  view_init (&view, list);
  before = g_list_model_get_item (G_LIST_MODEL (list), 1);

  /* A new score for Ben: his row, and only his row, changes. */
  s = summary_new (2, "Ben Bianchi", "MRN-0002");
  s->latest_score = 9;
  traj_patient_list_update (list, 2, s);
  expect_change (&view, 1, 1, 1);
  CHECK (&view, 1, 2, 3, 4, 5);
  {
    g_autoptr(TrajPatientItem) item = g_list_model_get_item (G_LIST_MODEL (list), 1);
    g_assert_cmpint (traj_patient_item_get_summary (item)->latest_score, ==, 9);
  }
  /* An item a view already holds keeps what it showed. */
  g_assert_cmpint (traj_patient_item_get_summary (before)->latest_score, ==, -1);

  /* Renamed so that he sorts last: from his old place to the end. */
  traj_patient_list_update (list, 2, summary_new (2, "Zane Bianchi", "MRN-0002"));
  expect_change (&view, 1, 4, 4);
  CHECK (&view, 1, 3, 4, 5, 2);
  g_assert_cmpint (traj_patient_list_find (list, 2), ==, 4);

  /* Renamed back to the front. */
  traj_patient_list_update (list, 2, summary_new (2, "Aaron Bianchi", "MRN-0002"));
  expect_change (&view, 0, 5, 5);
  CHECK (&view, 2, 1, 3, 4, 5);

  /* A new patient lands in name order: one row added. */
  traj_patient_list_update (list, 6, summary_new (6, "Bea Brennan", "MRN-0006"));
  expect_change (&view, 2, 0, 1);
  CHECK (&view, 2, 1, 6, 3, 4, 5);
  g_assert_cmpuint (traj_patient_list_get_n_total (list), ==, 6);

  /* A new patient at the very end. */
  traj_patient_list_update (list, 10, summary_new (10, "Zoe Zielinski", "MRN-0010"));
  expect_change (&view, 6, 0, 1);
  CHECK (&view, 2, 1, 6, 3, 4, 5, 10);

  /* Removed (deleted elsewhere): one row out. */
  traj_patient_list_update (list, 3, NULL);
  expect_change (&view, 3, 1, 0);
  CHECK (&view, 2, 1, 6, 4, 5, 10);
  g_assert_cmpuint (traj_patient_list_get_n_total (list), ==, 6);
  g_assert_null (traj_patient_list_lookup (list, 3));
  /* Removing someone who is not there says nothing. */
  traj_patient_list_update (list, 3, NULL);
  expect_no_change (&view);

  /* With a search on, rows outside it change silently… */
  traj_patient_list_set_search (list, "mrn-000");
  g_array_set_size (view.changes, 0);
  CHECK (&view, 2, 1, 6, 5);
  traj_patient_list_update (list, 4, summary_new (4, "Dev Delgado", "mrn-0104"));
  expect_no_change (&view);
  CHECK (&view, 2, 1, 6, 5);
  /* …and a row that now matches appears where it belongs. */
  traj_patient_list_update (list, 4, summary_new (4, "Dev Delgado", "MRN-0004"));
  expect_change (&view, 3, 0, 1);
  CHECK (&view, 2, 1, 6, 4, 5);
  /* A row that no longer matches leaves. */
  traj_patient_list_update (list, 1, summary_new (1, "Ada Abbott", "A-1"));
  expect_change (&view, 1, 1, 0);
  CHECK (&view, 2, 6, 4, 5);

  /* With a filter on, a course ending takes the row out of "active". */
  traj_patient_list_set_search (list, NULL);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_ACTIVE_COURSE);
  g_array_set_size (view.changes, 0);
  CHECK (&view, 2, 1, 6, 4, 5, 10);
  s = summary_new (6, "Bea Brennan", "MRN-0006");
  s->course_status = TRAJ_COURSE_ENDED;
  traj_patient_list_update (list, 6, s);
  expect_change (&view, 2, 1, 0);
  CHECK (&view, 2, 1, 4, 5, 10);
  /* …and a safety finding puts it into "needs attention". */
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  g_array_set_size (view.changes, 0);
  CHECK_EMPTY (&view);
  s = summary_new (5, "Elsa Öberg", "MRN-0005");
  s->safety_open = TRUE;
  traj_patient_list_update (list, 5, s);
  expect_change (&view, 0, 0, 1);
  CHECK (&view, 5);

  view_clear (&view);
  g_clear_object (&before);
  g_assert_finalize_object (list);
}

/* From a real store: reload after a delete, update after an edit. */
/* A view gets the same item back for a patient whose summary has not
 * changed (GTK's list view then keeps the row it made for it instead of
 * building a new one on every keystroke): across searches and filters, not
 * across an update of that patient or a reload. */
static void
test_item_identity (void)
{
  TrajPatientList *list = traj_patient_list_new ();
  g_autoptr(TrajPatientItem) ben = NULL, elsa = NULL, again = NULL;
  TrajPatientSummary *s;

  traj_patient_list_set_patients (list, sample ());
  ben = g_list_model_get_item (G_LIST_MODEL (list), 1);
  elsa = g_list_model_get_item (G_LIST_MODEL (list), 4);
  again = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_true (again == ben);
  g_clear_object (&again);

  /* Searched for, Ben is at 0: the same item. */
  traj_patient_list_set_search (list, "bianchi");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (again == ben);
  g_clear_object (&again);
  traj_patient_list_set_search (list, NULL);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_NEEDS_ATTENTION);
  again = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_true (again == ben);
  g_clear_object (&again);
  traj_patient_list_set_filter (list, TRAJ_PATIENT_FILTER_ALL);

  /* Ben's summary changes: a new item with the new summary; Elsa's stays. */
  s = summary_new (2, "Ben Bianchi", "MRN-0002");
  s->latest_score = 9;
  traj_patient_list_update (list, 2, s);
  again = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_true (again != ben);
  g_assert_cmpint (traj_patient_item_get_summary (again)->latest_score, ==, 9);
  g_assert_cmpint (traj_patient_item_get_summary (ben)->latest_score, ==, -1);
  g_clear_object (&again);
  again = g_list_model_get_item (G_LIST_MODEL (list), 4);
  g_assert_true (again == elsa);
  g_clear_object (&again);

  /* Ben moves (renamed Zed): everyone between keeps their item. */
  s = summary_new (2, "Zed Bianchi", "MRN-0002");
  traj_patient_list_update (list, 2, s);
  again = g_list_model_get_item (G_LIST_MODEL (list), 3);
  g_assert_true (again == elsa);
  g_clear_object (&again);
  again = g_list_model_get_item (G_LIST_MODEL (list), 4);
  g_assert_cmpint (traj_patient_item_get_id (again), ==, 2);
  g_clear_object (&again);

  /* A reload brings new items, each with its new summary. */
  traj_patient_list_set_patients (list, sample ());
  again = g_list_model_get_item (G_LIST_MODEL (list), 4);
  g_assert_true (again != elsa);
  g_assert_cmpint (traj_patient_item_get_id (again), ==, 5);
  g_clear_object (&again);
  g_object_unref (list);
}

static void
test_from_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("traj-list-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "clinic.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  TrajStore *store;
  TrajPatientList *list = traj_patient_list_new ();
  const char *names[] = { "carmen castillo", "Ada Abbott", "Ben Bianchi" };
  gint64 ids[3];
  GError *error = NULL;
  View view;

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(TrajPatient) p = traj_patient_new ();
      p->mrn = g_strdup_printf ("MRN-%u", k + 1);
      p->name = g_strdup (names[k]);
      p->birth_day = traj_day_from_ymd (1970 + k, 3, 4);
      g_assert_true (traj_store_insert_patient (store, p, &error));
      g_assert_no_error (error);
      ids[k] = p->id;
    }

  view_init (&view, list);
  g_assert_true (traj_patient_list_reload (list, store, &error));
  g_assert_no_error (error);
  expect_change (&view, 0, 0, 3);
  /* Name order, whatever the case. */
  CHECK (&view, ids[1], ids[2], ids[0]);

  /* The store's search keys work the same way. */
  traj_patient_list_set_search (list, "CASTILLO");
  CHECK (&view, ids[0]);
  traj_patient_list_set_search (list, "mrn-2");
  CHECK (&view, ids[1]);
  traj_patient_list_set_search (list, NULL);
  g_array_set_size (view.changes, 0);

  /* An edit in the store, then that one row updated. */
  {
    g_autoptr(TrajPatient) p = traj_store_get_patient (store, ids[1], &error);
    g_free (p->name);
    p->name = g_strdup ("Zoe Abbott");
    g_assert_true (traj_store_update_patient (store, p, &error));
    g_assert_no_error (error);
  }
  traj_patient_list_update (list, ids[1], traj_store_get_patient_summary (store, ids[1], &error));
  g_assert_no_error (error);
  CHECK (&view, ids[2], ids[0], ids[1]);
  g_array_set_size (view.changes, 0);

  /* A deletion in the store, then a reload. */
  g_assert_true (traj_store_delete (store, TRAJ_KIND_PATIENT, ids[2], &error));
  g_assert_no_error (error);
  g_assert_true (traj_patient_list_reload (list, store, &error));
  expect_change (&view, 0, 3, 2);
  CHECK (&view, ids[0], ids[1]);

  view_clear (&view);
  g_assert_finalize_object (list);
  g_assert_finalize_object (store);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/patient-list/basics", test_model_basics);
  g_test_add_func ("/patient-list/search", test_search);
  g_test_add_func ("/patient-list/filters", test_filters);
  g_test_add_func ("/patient-list/update", test_update);
  g_test_add_func ("/patient-list/item-identity", test_item_identity);
  g_test_add_func ("/patient-list/from-store", test_from_store);

  return g_test_run ();
}
