/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-patient-list"

#include "config.h"

#include <string.h>

#include "traj-outcomes.h"
#include "traj-patient-list.h"
#include "traj-search.h"

/* ---- item --------------------------------------------------------------- */

struct _TrajPatientItem
{
  GObject parent_instance;
  TrajPatientSummary *summary;
};

G_DEFINE_FINAL_TYPE (TrajPatientItem, traj_patient_item, G_TYPE_OBJECT)

static void
traj_patient_item_finalize (GObject *object)
{
  TrajPatientItem *self = (TrajPatientItem *) object;

  traj_patient_summary_free (self->summary);
  G_OBJECT_CLASS (traj_patient_item_parent_class)->finalize (object);
}

static void
traj_patient_item_class_init (TrajPatientItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = traj_patient_item_finalize;
}

static void
traj_patient_item_init (TrajPatientItem *self)
{
}

static TrajPatientSummary *
summary_copy (const TrajPatientSummary *s)
{
  TrajPatientSummary *c = g_memdup2 (s, sizeof *s);
  c->uid = g_strdup (s->uid);
  c->mrn = g_strdup (s->mrn);
  c->name = g_strdup (s->name);
  c->search_key = g_strdup (s->search_key);
  return c;
}

const TrajPatientSummary *
traj_patient_item_get_summary (TrajPatientItem *self)
{
  g_return_val_if_fail (TRAJ_IS_PATIENT_ITEM (self), NULL);
  return self->summary;
}

gint64
traj_patient_item_get_id (TrajPatientItem *self)
{
  g_return_val_if_fail (TRAJ_IS_PATIENT_ITEM (self), 0);
  return self->summary->id;
}

/* ---- list --------------------------------------------------------------- */

struct _TrajPatientList
{
  GObject parent_instance;

  GPtrArray *all;          /* TrajPatientSummary*, owned, in display order */
  GPtrArray *items;        /* TrajPatientItem* or NULL, one per entry of all */
  GArray *visible;         /* guint indexes into all */
  char *search;            /* casefolded, or NULL */
  TrajPatientFilter filter;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TrajPatientList, traj_patient_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return TRAJ_TYPE_PATIENT_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return TRAJ_PATIENT_LIST (model)->visible->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  TrajPatientList *self = TRAJ_PATIENT_LIST (model);
  TrajPatientItem *item;
  guint k;

  if (position >= self->visible->len)
    return NULL;
  /* One item per patient for as long as the summary holds: a view that
   * gets the same item back after a search keeps the row it made for it
   * instead of building and laying out a new one (GTK 4.8's list view
   * keeps about 200 rows, all made again for new items on every search). */
  k = g_array_index (self->visible, guint, position);
  item = g_ptr_array_index (self->items, k);
  if (item == NULL)
    {
      item = g_object_new (TRAJ_TYPE_PATIENT_ITEM, NULL);
      /* A snapshot copy: a row keeps showing what it showed even if the
       * list is reloaded under it. */
      item->summary = summary_copy (g_ptr_array_index (self->all, k));
      self->items->pdata[k] = item;
    }
  return g_object_ref (item);
}

static void
clear_item (gpointer item)
{
  if (item)
    g_object_unref (item);
}

static GPtrArray *
new_items (guint n)
{
  GPtrArray *items = g_ptr_array_new_full (n, clear_item);

  g_ptr_array_set_size (items, (int) n);
  return items;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static gboolean
matches (TrajPatientList *self, const TrajPatientSummary *s, TrajPatientFilter filter, const char *search)
{
  switch (filter)
    {
    case TRAJ_PATIENT_FILTER_NEEDS_ATTENTION:
      if (s->open_findings <= 0 && !s->safety_open)
        return FALSE;
      break;
    case TRAJ_PATIENT_FILTER_ACTIVE_COURSE:
      if (!s->has_course || s->course_status == TRAJ_COURSE_ENDED)
        return FALSE;
      break;
    case TRAJ_PATIENT_FILTER_ALL:
    default:
      break;
    }
  return search == NULL || traj_search_matches (s->search_key, search);
}

/* "Needs attention" is a work list: safety findings first, then whoever
 * has waited longest (oldest open finding), then name order. */
static int
compare_attention (gconstpointer a, gconstpointer b, gpointer data)
{
  TrajPatientList *self = data;
  guint ia = *(const guint *) a, ib = *(const guint *) b;
  const TrajPatientSummary *sa = g_ptr_array_index (self->all, ia);
  const TrajPatientSummary *sb = g_ptr_array_index (self->all, ib);

  if (sa->safety_open != sb->safety_open)
    return sa->safety_open ? -1 : 1;
  if (sa->oldest_open_at != sb->oldest_open_at)
    {
      if (sa->oldest_open_at == TRAJ_TIME_NONE || sb->oldest_open_at == TRAJ_TIME_NONE)
        return sa->oldest_open_at == TRAJ_TIME_NONE ? 1 : -1;
      return sa->oldest_open_at < sb->oldest_open_at ? -1 : 1;
    }
  return ia < ib ? -1 : ia > ib;
}

static void
fill_visible (TrajPatientList *self)
{
  g_array_set_size (self->visible, 0);
  for (guint k = 0; k < self->all->len; k++)
    if (matches (self, g_ptr_array_index (self->all, k), self->filter, self->search))
      g_array_append_val (self->visible, k);
  if (self->filter == TRAJ_PATIENT_FILTER_NEEDS_ATTENTION)
    g_array_sort_with_data (self->visible, compare_attention, self);
}

static void
refilter (TrajPatientList *self)
{
  guint old = self->visible->len;

  fill_visible (self);
  if (old || self->visible->len)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->visible->len);
}

static void
traj_patient_list_finalize (GObject *object)
{
  TrajPatientList *self = (TrajPatientList *) object;

  g_ptr_array_unref (self->all);
  g_ptr_array_unref (self->items);
  g_array_unref (self->visible);
  g_free (self->search);
  G_OBJECT_CLASS (traj_patient_list_parent_class)->finalize (object);
}

static void
traj_patient_list_class_init (TrajPatientListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = traj_patient_list_finalize;
}

static void
traj_patient_list_init (TrajPatientList *self)
{
  self->all = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_patient_summary_free);
  self->items = new_items (0);
  self->visible = g_array_new (FALSE, FALSE, sizeof (guint));
}

TrajPatientList *
traj_patient_list_new (void)
{
  return g_object_new (TRAJ_TYPE_PATIENT_LIST, NULL);
}

void
traj_patient_list_set_patients (TrajPatientList *self, GPtrArray *summaries)
{
  g_return_if_fail (TRAJ_IS_PATIENT_LIST (self));

  g_ptr_array_unref (self->all);
  self->all = summaries;
  g_ptr_array_unref (self->items);
  self->items = new_items (summaries->len);
  refilter (self);
}

gboolean
traj_patient_list_reload (TrajPatientList *self, TrajStore *store, GError **error)
{
  GPtrArray *list = traj_store_list_patients (store, error);

  if (list == NULL)
    return FALSE;
  traj_patient_list_set_patients (self, list);
  return TRUE;
}

gboolean
traj_patient_list_attention_current (TrajPatientList *self, gint64 rules, gint64 now)
{
  g_return_val_if_fail (TRAJ_IS_PATIENT_LIST (self), FALSE);

  for (guint k = 0; k < self->all->len; k++)
    if (!traj_attention_is_current (g_ptr_array_index (self->all, k), rules, now))
      return FALSE;
  return TRUE;
}

static int
compare_summary (const TrajPatientSummary *a, const TrajPatientSummary *b)
{
  g_autofree char *ka = g_utf8_casefold (a->name, -1);
  g_autofree char *kb = g_utf8_casefold (b->name, -1);
  int c = g_utf8_collate (ka, kb);
  return c ? c : g_strcmp0 (a->mrn, b->mrn);
}

static gint64
visible_id (TrajPatientList *self, GArray *visible, guint pos)
{
  return ((TrajPatientSummary *) g_ptr_array_index (self->all, g_array_index (visible, guint, pos)))->id;
}

void
traj_patient_list_update (TrajPatientList *self, gint64 patient_id, TrajPatientSummary *summary)
{
  g_autoptr(GArray) before_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint k, pos, first = 0, n_old, n_new;

  g_return_if_fail (TRAJ_IS_PATIENT_LIST (self));

  for (k = 0; k < self->visible->len; k++)
    {
      gint64 id = visible_id (self, self->visible, k);
      g_array_append_val (before_ids, id);
    }

  for (k = 0; k < self->all->len; k++)
    if (((TrajPatientSummary *) g_ptr_array_index (self->all, k))->id == patient_id)
      break;
  if (k < self->all->len)
    {
      g_ptr_array_remove_index (self->all, k);
      g_ptr_array_remove_index (self->items, k);
    }
  if (summary)
    {
      for (pos = 0; pos < self->all->len; pos++)
        if (compare_summary (summary, g_ptr_array_index (self->all, pos)) < 0)
          break;
      g_ptr_array_insert (self->all, (int) pos, summary);
      g_ptr_array_insert (self->items, (int) pos, NULL);
    }

  fill_visible (self);

  /* Emit only the span that changed (the edited row, where it left and
   * where it landed), so views keep their scroll position. */
  n_old = before_ids->len;
  n_new = self->visible->len;
  while (first < n_old && first < n_new &&
         g_array_index (before_ids, gint64, first) == visible_id (self, self->visible, first) &&
         g_array_index (before_ids, gint64, first) != patient_id)
    first++;
  n_old -= first;
  n_new -= first;
  while (n_old > 0 && n_new > 0 &&
         g_array_index (before_ids, gint64, first + n_old - 1) == visible_id (self, self->visible, first + n_new - 1) &&
         g_array_index (before_ids, gint64, first + n_old - 1) != patient_id)
    {
      n_old--;
      n_new--;
    }
  if (n_old || n_new)
    g_list_model_items_changed (G_LIST_MODEL (self), first, n_old, n_new);
}

void
traj_patient_list_set_search (TrajPatientList *self, const char *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (TRAJ_IS_PATIENT_LIST (self));

  if (text)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (text));
      if (*stripped)
        folded = traj_search_fold (stripped);
    }
  if (g_strcmp0 (folded, self->search) == 0)
    return;
  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  refilter (self);
}

void
traj_patient_list_set_filter (TrajPatientList *self, TrajPatientFilter filter)
{
  g_return_if_fail (TRAJ_IS_PATIENT_LIST (self));

  if (self->filter == filter)
    return;
  self->filter = filter;
  refilter (self);
}

int
traj_patient_list_find (TrajPatientList *self, gint64 patient_id)
{
  for (guint k = 0; k < self->visible->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (self->all, g_array_index (self->visible, guint, k));
      if (s->id == patient_id)
        return (int) k;
    }
  return -1;
}

guint
traj_patient_list_get_n_total (TrajPatientList *self)
{
  return self->all->len;
}

guint
traj_patient_list_count (TrajPatientList *self, TrajPatientFilter filter)
{
  guint n = 0;

  for (guint k = 0; k < self->all->len; k++)
    if (matches (self, g_ptr_array_index (self->all, k), filter, NULL))
      n++;
  return n;
}

guint
traj_patient_list_count_matching (TrajPatientList *self, TrajPatientFilter filter)
{
  guint n = 0;

  g_return_val_if_fail (TRAJ_IS_PATIENT_LIST (self), 0);

  for (guint k = 0; k < self->all->len; k++)
    if (matches (self, g_ptr_array_index (self->all, k), filter, self->search))
      n++;
  return n;
}

gboolean
traj_patient_list_has_search (TrajPatientList *self)
{
  g_return_val_if_fail (TRAJ_IS_PATIENT_LIST (self), FALSE);

  return self->search != NULL;
}

TrajPatientSummary *
traj_patient_list_lookup (TrajPatientList *self, gint64 patient_id)
{
  for (guint k = 0; k < self->all->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (self->all, k);
      if (s->id == patient_id)
        return s;
    }
  return NULL;
}
