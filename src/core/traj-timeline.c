/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-timeline"

#include "config.h"

#include "traj-timeline.h"

struct _TrajTimelineItem
{
  GObject parent_instance;
  TrajRecordKind kind;
  gint64 time;
  int number;
  TrajInfusion *infusion;
  TrajAssessment *assessment;
  /* A fingerprint of what the row shows, to tell changed rows apart. */
  guint hash;
};

G_DEFINE_FINAL_TYPE (TrajTimelineItem, traj_timeline_item, G_TYPE_OBJECT)

static void
traj_timeline_item_finalize (GObject *object)
{
  TrajTimelineItem *self = (TrajTimelineItem *) object;

  traj_infusion_free (self->infusion);
  traj_assessment_free (self->assessment);
  G_OBJECT_CLASS (traj_timeline_item_parent_class)->finalize (object);
}

static void
traj_timeline_item_class_init (TrajTimelineItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = traj_timeline_item_finalize;
}

static void
traj_timeline_item_init (TrajTimelineItem *self)
{
}

TrajRecordKind
traj_timeline_item_get_kind (TrajTimelineItem *self)
{
  return self->kind;
}

gint64
traj_timeline_item_get_id (TrajTimelineItem *self)
{
  return self->infusion ? self->infusion->id : self->assessment->id;
}

gint64
traj_timeline_item_get_time (TrajTimelineItem *self)
{
  return self->time;
}

const TrajInfusion *
traj_timeline_item_get_infusion (TrajTimelineItem *self)
{
  return self->infusion;
}

const TrajAssessment *
traj_timeline_item_get_assessment (TrajTimelineItem *self)
{
  return self->assessment;
}

int
traj_timeline_item_get_number (TrajTimelineItem *self)
{
  return self->number;
}

static guint
hash_infusion (const TrajInfusion *i, int number, const TrajPatient *patient)
{
  guint h = g_int64_hash (&i->id) ^ (guint) i->started_at ^ ((guint) i->phase << 3) ^ ((guint) i->route << 6);
  h = h * 31 + (guint) (i->total_mg * 100) + (guint) (i->dose_mg_per_kg * 1000) + i->side_effects * 7u + (guint) number;
  h = h * 31 + (guint) (i->cadss_total + 1) * 11u + (guint) (i->moaas_lowest + 1) * 101u;
  /* The row's monitoring-record button says what the record misses. */
  h = h * 31 + (guint) i->monitoring_min + (guint) (i->ready_at != TRAJ_TIME_NONE) * 3u +
      (guint) (i->lot && *i->lot) * 5u + (guint) (i->rems_patient_id != NULL) * 7u +
      (guint) (i->rems_monitored_by != NULL) * 11u + (guint) (i->rems_first_session + 1) * 13u +
      (guint) (i->rems_vitals_ok_before + 1) * 17u + (guint) (i->rems_vitals_ok_leaving + 1) * 19u +
      (guint) (i->rems_sedation + 1) * 23u + (guint) (i->rems_dissociation + 1) * 29u +
      (guint) (i->rems_resp_depression + 1) * 31u + (guint) (i->rems_adverse + 1) * 37u +
      g_str_hash (i->rems_adverse_note ? i->rems_adverse_note : "") +
      g_str_hash (i->rems_patient_id ? i->rems_patient_id : "") * 41u +
      g_str_hash (i->rems_monitored_by ? i->rems_monitored_by : "") * 43u + i->concomitant * 47u;
  /* … and the patient's name, birth date and sex, which the record holds. */
  if (patient && i->route == TRAJ_ROUTE_INTRANASAL)
    h = h * 31 + g_str_hash (patient->name ? patient->name : "") + (guint) patient->birth_day * 3u +
        (guint) patient->sex * 5u;
  for (guint k = 0; k < i->vitals->len; k++)
    {
      const TrajVitalSign *v = g_ptr_array_index (i->vitals, k);
      h = h * 31 + (guint) (v->minute * 7 + v->systolic * 13 + v->diastolic * 17 + v->heart_rate + v->spo2 * 3);
    }
  return h;
}

static guint
hash_assessment (const TrajAssessment *a)
{
  guint h = g_int64_hash (&a->id) ^ (guint) a->taken_at ^ ((guint) a->scale << 4) ^ ((guint) a->source << 8);
  h = h * 31 + (guint) (a->total + 1) + (a->complete ? 1000u : 0u) + (guint) a->timing * 3u;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    h = h * 31 + (guint) (a->items[k] + 1);
  return h;
}

struct _TrajTimeline
{
  GObject parent_instance;
  GPtrArray *items;   /* TrajTimelineItem*, newest first */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TrajTimeline, traj_timeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return TRAJ_TYPE_TIMELINE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return TRAJ_TIMELINE (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  TrajTimeline *self = TRAJ_TIMELINE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
traj_timeline_finalize (GObject *object)
{
  g_ptr_array_unref (TRAJ_TIMELINE (object)->items);
  G_OBJECT_CLASS (traj_timeline_parent_class)->finalize (object);
}

static void
traj_timeline_class_init (TrajTimelineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = traj_timeline_finalize;
}

static void
traj_timeline_init (TrajTimeline *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

TrajTimeline *
traj_timeline_new (void)
{
  return g_object_new (TRAJ_TYPE_TIMELINE, NULL);
}

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const TrajTimelineItem *ia = *(TrajTimelineItem **) a;
  const TrajTimelineItem *ib = *(TrajTimelineItem **) b;

  if (ia->time != ib->time)
    return ia->time < ib->time ? 1 : -1;
  /* Same instant: the infusion above the assessment taken before it. */
  return (int) ia->kind - (int) ib->kind;
}

void
traj_timeline_set_records (TrajTimeline             *self,
                           const TrajPatientRecords *records)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint first = 0, n_old, n_new;

  g_return_if_fail (TRAJ_IS_TIMELINE (self));

  if (records)
    {
      GHashTable *n_in_course = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

      for (guint k = 0; k < records->infusions->len; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (records->infusions, k);
          TrajTimelineItem *item = g_object_new (TRAJ_TYPE_TIMELINE_ITEM, NULL);
          gint64 *key = g_new (gint64, 1);
          int n;

          *key = i->course_id;
          n = GPOINTER_TO_INT (g_hash_table_lookup (n_in_course, key)) + 1;
          g_hash_table_replace (n_in_course, key, GINT_TO_POINTER (n));
          item->kind = TRAJ_KIND_INFUSION;
          item->infusion = traj_infusion_copy (i);
          item->time = i->started_at;
          item->number = n;
          item->hash = hash_infusion (i, n, records->patient);
          g_ptr_array_add (items, item);
        }
      g_hash_table_unref (n_in_course);
      for (guint k = 0; k < records->assessments->len; k++)
        {
          const TrajAssessment *a = g_ptr_array_index (records->assessments, k);
          TrajTimelineItem *item = g_object_new (TRAJ_TYPE_TIMELINE_ITEM, NULL);

          item->kind = TRAJ_KIND_ASSESSMENT;
          item->assessment = traj_assessment_copy (a);
          item->time = a->taken_at;
          item->hash = hash_assessment (a);
          g_ptr_array_add (items, item);
        }
      g_ptr_array_sort (items, compare_newest_first);
    }

  /* Keep the unchanged head and tail; replace only the middle. */
  n_old = self->items->len;
  n_new = items->len;
  while (first < n_old && first < n_new &&
         ((TrajTimelineItem *) g_ptr_array_index (self->items, first))->hash ==
         ((TrajTimelineItem *) g_ptr_array_index (items, first))->hash)
    first++;
  n_old -= first;
  n_new -= first;
  while (n_old > 0 && n_new > 0 &&
         ((TrajTimelineItem *) g_ptr_array_index (self->items, first + n_old - 1))->hash ==
         ((TrajTimelineItem *) g_ptr_array_index (items, first + n_new - 1))->hash)
    {
      n_old--;
      n_new--;
    }

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  if (n_old || n_new)
    g_list_model_items_changed (G_LIST_MODEL (self), first, n_old, n_new);
}

int
traj_timeline_find (TrajTimeline   *self,
                    TrajRecordKind  kind,
                    gint64          id)
{
  for (guint k = 0; k < self->items->len; k++)
    {
      TrajTimelineItem *item = g_ptr_array_index (self->items, k);
      if (item->kind == kind && traj_timeline_item_get_id (item) == id)
        return (int) k;
    }
  return -1;
}
