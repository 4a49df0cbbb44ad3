/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "traj-columns-layout.h"
#include "traj-editor-dialog.h"
#include "traj-gui.h"
#include "traj-score-entry-private.h"

/* The most answers an item offers: the pain NRS's 0–10. */
#define MAX_ANSWERS 11

typedef struct _ItemView ItemView;

struct _TrajScoreEntry
{
  GtkWidget parent_instance;

  TrajScaleId scale;
  TrajScoreEntryLayout layout;
  guint current_item;
  gboolean show_total;

  int values[TRAJ_MAX_ITEMS];
  int difficulty;
  gboolean complete;
  int total;
  /* Set while the API moves buttons, so their handlers stay quiet. */
  gboolean updating;
  char *summary;

  GPtrArray *items;               /* ItemView*, scored items then difficulty */

  GtkWidget *box;
  GtkLabel *instruction_label;
  GtkWidget *items_box;
  GtkWidget *total_list;
  GtkWidget *total_row;
  GtkWidget *total_message_row;
  GtkLabel *total_message;
  GtkLabel *total_label;
};

struct _ItemView
{
  TrajScoreEntry *self;
  guint index;                    /* 0-based; == scale->n_items for difficulty */
  gboolean is_difficulty;
  GtkWidget *page;                /* the card (LIST) or the page (SINGLE) */
  guint n_buttons;
  GtkWidget *buttons[MAX_ANSWERS];
  int values[MAX_ANSWERS];
  guint roving;                   /* LIST: the one button Tab stops at */
  GtkWidget *clear_button;
  GtkWidget *safety_label;
};

G_DEFINE_FINAL_TYPE (TrajScoreEntry, traj_score_entry, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (TrajScoreEntryLayout, traj_score_entry_layout,
                    G_DEFINE_ENUM_VALUE (TRAJ_SCORE_ENTRY_LIST, "list"),
                    G_DEFINE_ENUM_VALUE (TRAJ_SCORE_ENTRY_SINGLE, "single"))

enum {
  PROP_0,
  PROP_SCALE,
  PROP_LAYOUT,
  PROP_CURRENT_ITEM,
  PROP_SHOW_TOTAL,
  PROP_COMPLETE,
  PROP_TOTAL,
  N_PROPS
};

enum {
  CHANGED,
  ITEM_ANSWERED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------ */

static const TrajScale *
get_scale (TrajScoreEntry *self)
{
  return traj_scale_get (self->scale);
}

static gboolean
has_difficulty (TrajScoreEntry *self)
{
  const TrajScale *scale = get_scale (self);

  return scale != NULL && scale->has_difficulty;
}

static int
item_value (TrajScoreEntry *self, ItemView *item)
{
  return item->is_difficulty ? self->difficulty : self->values[item->index];
}

static void
update_roving (ItemView *item)
{
  if (item->self->layout != TRAJ_SCORE_ENTRY_LIST)
    return;
  for (guint k = 0; k < item->n_buttons; k++)
    if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (item->buttons[k])))
      item->roving = k;
  for (guint k = 0; k < item->n_buttons; k++)
    gtk_widget_set_focusable (item->buttons[k], k == item->roving);
}

static void
update_item_extras (TrajScoreEntry *self, ItemView *item)
{
  int value = item_value (self, item);

  if (item->clear_button)
    gtk_widget_set_visible (item->clear_button, value >= 0);

  if (item->safety_label)
    {
      gboolean finding = value > 0;

      if (finding)
        {
          const TrajScale *scale = get_scale (self);
          g_autofree char *text = NULL;

          /* Translators: shown to the clinician only; "Item 9 answered “Several days”: …" */
          text = g_strdup_printf (_("Item %u answered “%s”: this opens a safety finding for the patient "
                                    "until a clinician acknowledges it."),
                                  scale->safety_item, traj_scale_answer_label (scale, value));
          gtk_label_set_label (GTK_LABEL (item->safety_label), text);
        }
      gtk_widget_set_visible (item->safety_label, finding);
    }
}

/* Moves the buttons to the stored answer without their handlers reacting. */
static void
sync_item_buttons (TrajScoreEntry *self, ItemView *item)
{
  int value = item_value (self, item);
  gboolean was_updating = self->updating;

  self->updating = TRUE;
  for (guint k = 0; k < item->n_buttons; k++)
    if (item->values[k] == value)
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (item->buttons[k]), TRUE);
  for (guint k = 0; k < item->n_buttons; k++)
    if (item->values[k] != value && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (item->buttons[k])))
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (item->buttons[k]), FALSE);
  self->updating = was_updating;

  update_roving (item);
  update_item_extras (self, item);
}

static void
recompute (TrajScoreEntry *self)
{
  const TrajScale *scale = get_scale (self);
  gboolean complete = FALSE;
  int total = -1;
  g_autofree char *summary = NULL;

  if (scale != NULL && scale->n_items > 0)
    {
      complete = traj_scale_score (scale, self->values, scale->n_items, &total);
      if (!complete)
        total = -1;
    }
  else if (scale != NULL)
    {
      int typed = traj_score_entry_get_typed_total (self);

      /* The scale's own range; the editor shows the store's message. */
      complete = typed >= scale->total_min && typed <= scale->total_max;
      total = complete ? typed : -1;
    }

  if (scale == NULL)
    summary = g_strdup ("");
  else if (complete)
    {
      const char *band = traj_scale_band_label (scale, total);

      if (band)
        /* Translators: the live total while entering scores, e.g. "Total 14 · moderate" */
        summary = g_strdup_printf (_("Total %d · %s"), total, band);
      else
        summary = g_strdup_printf (_("Total %d"), total);
    }
  else if (scale->n_items > 0)
    /* Translators: e.g. "7 of 9 answered" */
    summary = g_strdup_printf (_("%u of %u answered"), traj_score_entry_get_n_answered (self), scale->n_items);
  else
    summary = g_strdup ("");

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_label_set_label (self->total_label, self->summary);
  gtk_widget_set_visible (GTK_WIDGET (self->total_label),
                          self->show_total && self->layout == TRAJ_SCORE_ENTRY_LIST &&
                          scale != NULL && *self->summary != '\0');

  if (self->complete != complete)
    {
      self->complete = complete;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
    }
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
}

static void
answer_item (ItemView *item, int value)
{
  TrajScoreEntry *self = item->self;

  if (item->is_difficulty)
    self->difficulty = value;
  else
    self->values[item->index] = value;
  sync_item_buttons (self, item);
  recompute (self);
  if (value >= 0)
    g_signal_emit (self, signals[ITEM_ANSWERED], 0, item->index);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- callbacks ---------------------------------------------------------- */

static void
on_answer_toggled (GtkToggleButton *button,
                   ItemView        *item)
{
  TrajScoreEntry *self = item->self;

  if (self->updating || !gtk_toggle_button_get_active (button))
    return;
  for (guint k = 0; k < item->n_buttons; k++)
    if (item->buttons[k] == GTK_WIDGET (button))
      {
        answer_item (item, item->values[k]);
        if (self->layout == TRAJ_SCORE_ENTRY_LIST)
          gtk_widget_grab_focus (GTK_WIDGET (button));
        return;
      }
}

static void
on_clear_clicked (GtkButton *button,
                  ItemView  *item)
{
  answer_item (item, -1);
  gtk_widget_grab_focus (item->buttons[item->roving]);
}

static void
focus_button (ItemView *item, guint k)
{
  item->roving = k;
  if (item->self->layout == TRAJ_SCORE_ENTRY_LIST)
    for (guint j = 0; j < item->n_buttons; j++)
      gtk_widget_set_focusable (item->buttons[j], j == k);
  gtk_widget_grab_focus (item->buttons[k]);
}

/* Digits answer the focused item, arrows move within it, Delete clears it.
 * Tab leaves the item: only one of its buttons is a Tab stop. */
static gboolean
on_item_key_pressed (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     ItemView              *item)
{
  gboolean rtl = gtk_widget_get_direction (item->page) == GTK_TEXT_DIR_RTL;
  gunichar c;
  int digit;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
    return FALSE;

  c = gdk_keyval_to_unicode (keyval);
  digit = c ? g_unichar_digit_value (c) : -1;
  if (digit >= 0)
    {
      for (guint k = 0; k < item->n_buttons; k++)
        if (item->values[k] == digit)
          {
            answer_item (item, digit);
            focus_button (item, k);
            return TRUE;
          }
      gtk_widget_error_bell (item->page);
      return TRUE;
    }

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      {
        gboolean forward = (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right) != rtl;

        if (forward && item->roving + 1 < item->n_buttons)
          focus_button (item, item->roving + 1);
        else if (!forward && item->roving > 0)
          focus_button (item, item->roving - 1);
        return TRUE;
      }
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      focus_button (item, 0);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      focus_button (item, item->n_buttons - 1);
      return TRUE;
    case GDK_KEY_BackSpace:
    case GDK_KEY_Delete:
    case GDK_KEY_KP_Delete:
      if (item_value (item->self, item) >= 0)
        answer_item (item, -1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_total_changed (TrajScoreEntry *self)
{
  if (self->updating)
    return;
  recompute (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- building ----------------------------------------------------------- */

static void
clear_items (TrajScoreEntry *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->items_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->items_box), child);
  g_ptr_array_set_size (self->items, 0);
}

static GtkWidget *
answer_button_new (TrajScoreEntry *self,
                   guint           item_number,
                   gboolean        is_difficulty,
                   int             value,
                   const char     *label)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *value_text = g_strdup_printf ("%d", value);
  g_autofree char *accessible = NULL;

  gtk_widget_add_css_class (button, "answer");
  gtk_widget_set_valign (content, GTK_ALIGN_CENTER);

  if (self->layout == TRAJ_SCORE_ENTRY_LIST || label == NULL)
    {
      /* The clinician sees the value the digit key gives. */
      GtkWidget *number = gtk_label_new (value_text);

      gtk_widget_add_css_class (number, label ? "answer-value" : "answer-number");
      gtk_widget_add_css_class (number, "numeric");
      gtk_box_append (GTK_BOX (content), number);
    }
  if (label != NULL)
    {
      GtkWidget *text = gtk_label_new (label);

      /* Whole words only: an answer that no longer fits makes the row wrap
       * into fewer columns instead of breaking "Moderately" in two. */
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD);
      gtk_label_set_justify (GTK_LABEL (text), GTK_JUSTIFY_CENTER);
      gtk_widget_add_css_class (text, "answer-label");
      gtk_box_append (GTK_BOX (content), text);
    }
  gtk_button_set_child (GTK_BUTTON (button), content);

  if (is_difficulty)
    /* Translators: accessible name of an answer to the PHQ-9 difficulty question */
    accessible = g_strdup_printf (_("Difficulty: %s"), label);
  else
    /* Translators: accessible name of an answer button, e.g. "Item 3: Several days" */
    accessible = g_strdup_printf (_("Item %u: %s"), item_number, label ? label : value_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return button;
}

static ItemView *
build_item (TrajScoreEntry *self,
            guint           index,
            gboolean        is_difficulty)
{
  const TrajScale *scale = get_scale (self);
  const TrajExtraItem *extra = traj_scale_phq9_difficulty ();
  gboolean list = self->layout == TRAJ_SCORE_ENTRY_LIST;
  ItemView *item = g_new0 (ItemView, 1);
  g_autofree char *number = g_strdup_printf ("%u", index + 1);
  g_autofree char *group_name = NULL;
  const char *wording;
  GtkWidget *header, *text, *answers;
  GtkLayoutManager *layout;
  GtkEventController *keys;

  item->self = self;
  item->index = index;
  item->is_difficulty = is_difficulty;
  wording = is_difficulty ? _(extra->text) : _(scale->items[index].text);

  if (is_difficulty)
    group_name = g_strdup (wording);
  else
    /* Translators: accessible name of a questionnaire item, "Item 3: <wording>" */
    group_name = g_strdup_printf (_("Item %u: %s"), index + 1, wording);
  item->page = g_object_new (GTK_TYPE_BOX,
                             "orientation", GTK_ORIENTATION_VERTICAL,
                             "spacing", list ? 12 : 24,
                             "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                             NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (item->page), GTK_ACCESSIBLE_PROPERTY_LABEL, group_name, -1);
  gtk_widget_add_css_class (item->page, list ? "score-item" : "kiosk-item");
  if (list)
    gtk_widget_add_css_class (item->page, "card");

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  if (list)
    {
      GtkWidget *num = gtk_label_new (is_difficulty ? NULL : number);

      gtk_widget_set_valign (num, GTK_ALIGN_START);
      gtk_widget_add_css_class (num, "item-number");
      gtk_widget_add_css_class (num, "numeric");
      gtk_widget_set_visible (num, !is_difficulty);
      gtk_box_append (GTK_BOX (header), num);
    }
  {
    GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

    gtk_widget_set_hexpand (texts, TRUE);
    if (is_difficulty)
      {
        GtkWidget *note = gtk_label_new (list ? _("Optional · not scored") : _("Optional: you may skip this question"));

        gtk_label_set_xalign (GTK_LABEL (note), 0);
        gtk_label_set_wrap (GTK_LABEL (note), TRUE);
        if (list)
          {
            gtk_widget_add_css_class (note, "caption-heading");
            gtk_widget_add_css_class (note, "dim-label");
          }
        else
          gtk_widget_add_css_class (note, "kiosk-optional");
        gtk_box_append (GTK_BOX (texts), note);
      }
    text = gtk_label_new (wording);
    gtk_label_set_wrap (GTK_LABEL (text), TRUE);
    gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_xalign (GTK_LABEL (text), 0);
    gtk_widget_add_css_class (text, list ? "item-text" : "kiosk-question");
    gtk_box_append (GTK_BOX (texts), text);
    gtk_box_append (GTK_BOX (header), texts);
  }
  if (is_difficulty && list)
    {
      item->clear_button = gtk_button_new_with_mnemonic (_("C_lear"));
      gtk_widget_set_valign (item->clear_button, GTK_ALIGN_START);
      gtk_widget_add_css_class (item->clear_button, "flat");
      gtk_widget_set_tooltip_text (item->clear_button, _("Leave the optional question unanswered"));
      g_signal_connect (item->clear_button, "clicked", G_CALLBACK (on_clear_clicked), item);
      gtk_box_append (GTK_BOX (header), item->clear_button);
    }
  gtk_box_append (GTK_BOX (item->page), header);

  answers = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  layout = traj_columns_layout_new ();
  /* The kiosk stacks labelled answers full width; a 0–10 rating stays a grid
   * of big number buttons so it fits one screen. */
  traj_columns_layout_set_spacing (TRAJ_COLUMNS_LAYOUT (layout), list ? 6 : 12);
  if (!list && (is_difficulty || scale->n_answers > 0))
    traj_columns_layout_set_max_columns (TRAJ_COLUMNS_LAYOUT (layout), 1);
  gtk_widget_set_layout_manager (answers, layout);
  gtk_widget_add_css_class (answers, "answers");

  if (is_difficulty || scale->n_answers > 0)
    {
      guint n = is_difficulty ? extra->n_answers : scale->n_answers;
      const TrajAnswer *a = is_difficulty ? extra->answers : scale->answers;

      for (guint k = 0; k < n && k < MAX_ANSWERS; k++)
        {
          item->values[k] = a[k].value;
          item->buttons[k] = answer_button_new (self, index + 1, is_difficulty, a[k].value, _(a[k].label));
        }
      item->n_buttons = MIN (n, MAX_ANSWERS);
    }
  else
    {
      for (int v = scale->item_min; v <= scale->item_max && item->n_buttons < MAX_ANSWERS; v++)
        {
          item->values[item->n_buttons] = v;
          item->buttons[item->n_buttons] = answer_button_new (self, index + 1, FALSE, v, NULL);
          item->n_buttons++;
        }
    }
  for (guint k = 0; k < item->n_buttons; k++)
    {
      if (k > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (item->buttons[k]), GTK_TOGGLE_BUTTON (item->buttons[0]));
      if (!list)
        gtk_widget_add_css_class (item->buttons[k], "kiosk-answer");
      g_signal_connect (item->buttons[k], "toggled", G_CALLBACK (on_answer_toggled), item);
      gtk_box_append (GTK_BOX (answers), item->buttons[k]);
    }
  gtk_box_append (GTK_BOX (item->page), answers);

  if (list && !is_difficulty && traj_scale_is_safety_item (self->scale, index))
    {
      item->safety_label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (item->safety_label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (item->safety_label), 0);
      gtk_widget_add_css_class (item->safety_label, "safety-note");
      gtk_widget_set_visible (item->safety_label, FALSE);
      gtk_box_append (GTK_BOX (item->page), item->safety_label);
    }

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_item_key_pressed), item);
  gtk_widget_add_controller (item->page, keys);

  return item;
}

static void
update_pages (TrajScoreEntry *self)
{
  for (guint k = 0; k < self->items->len; k++)
    {
      ItemView *item = g_ptr_array_index (self->items, k);

      gtk_widget_set_visible (item->page, self->layout == TRAJ_SCORE_ENTRY_LIST || k == self->current_item);
      /* One question at a time: the PHQ-9 difficulty question has its own
       * instruction, not the scale's "over the last 2 weeks". */
      if (self->layout != TRAJ_SCORE_ENTRY_LIST && k == self->current_item)
        gtk_widget_set_visible (GTK_WIDGET (self->instruction_label),
                                !item->is_difficulty && get_scale (self) && get_scale (self)->instruction);
    }
}

static void
rebuild (TrajScoreEntry *self)
{
  const TrajScale *scale = get_scale (self);
  gboolean list = self->layout == TRAJ_SCORE_ENTRY_LIST;

  clear_items (self);

  gtk_widget_remove_css_class (GTK_WIDGET (self), list ? "single" : "list");
  gtk_widget_add_css_class (GTK_WIDGET (self), list ? "list" : "single");

  gtk_widget_set_visible (self->total_list, scale != NULL && scale->n_items == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->instruction_label), scale != NULL && scale->instruction != NULL);
  if (scale == NULL)
    {
      recompute (self);
      return;
    }
  if (scale->instruction)
    gtk_label_set_label (self->instruction_label, _(scale->instruction));

  if (scale->n_items == 0)
    {
      g_autofree char *title = NULL;

      /* Translators: the field for a total-only scale, e.g. "MADRS total (0–60)" */
      title = g_strdup_printf (_("%s total (%d–%d)"), _(scale->name), scale->total_min, scale->total_max);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->total_row), title);
    }

  for (guint k = 0; k < scale->n_items; k++)
    g_ptr_array_add (self->items, build_item (self, k, FALSE));
  if (has_difficulty (self))
    g_ptr_array_add (self->items, build_item (self, scale->n_items, TRUE));

  for (guint k = 0; k < self->items->len; k++)
    {
      ItemView *item = g_ptr_array_index (self->items, k);

      gtk_box_append (GTK_BOX (self->items_box), item->page);
      sync_item_buttons (self, item);
    }
  update_pages (self);
  recompute (self);
}

/* ---- GObject ------------------------------------------------------------ */

static void
traj_score_entry_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajScoreEntry *self = TRAJ_SCORE_ENTRY (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      traj_score_entry_set_scale (self, (TrajScaleId) g_value_get_uint (value));
      break;
    case PROP_LAYOUT:
      traj_score_entry_set_layout (self, g_value_get_enum (value));
      break;
    case PROP_CURRENT_ITEM:
      traj_score_entry_set_current_item (self, g_value_get_uint (value));
      break;
    case PROP_SHOW_TOTAL:
      traj_score_entry_set_show_total (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_score_entry_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajScoreEntry *self = TRAJ_SCORE_ENTRY (object);

  switch (prop_id)
    {
    case PROP_SCALE:
      g_value_set_uint (value, self->scale);
      break;
    case PROP_LAYOUT:
      g_value_set_enum (value, self->layout);
      break;
    case PROP_CURRENT_ITEM:
      g_value_set_uint (value, self->current_item);
      break;
    case PROP_SHOW_TOTAL:
      g_value_set_boolean (value, self->show_total);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_TOTAL:
      g_value_set_int (value, self->total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_score_entry_dispose (GObject *object)
{
  TrajScoreEntry *self = TRAJ_SCORE_ENTRY (object);

  /* The pages go first: their handlers point into self->items. */
  if (self->items_box)
    clear_items (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), TRAJ_TYPE_SCORE_ENTRY);
  G_OBJECT_CLASS (traj_score_entry_parent_class)->dispose (object);
}

static void
traj_score_entry_finalize (GObject *object)
{
  TrajScoreEntry *self = TRAJ_SCORE_ENTRY (object);

  g_ptr_array_unref (self->items);
  g_free (self->summary);
  G_OBJECT_CLASS (traj_score_entry_parent_class)->finalize (object);
}

static void
traj_score_entry_class_init (TrajScoreEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = traj_score_entry_set_property;
  object_class->get_property = traj_score_entry_get_property;
  object_class->dispose = traj_score_entry_dispose;
  object_class->finalize = traj_score_entry_finalize;

  properties[PROP_SCALE] =
    g_param_spec_uint ("scale", NULL, NULL, TRAJ_SCALE_NONE, TRAJ_N_SCALES - 1, TRAJ_SCALE_NONE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAYOUT] =
    g_param_spec_enum ("layout", NULL, NULL, TRAJ_TYPE_SCORE_ENTRY_LAYOUT, TRAJ_SCORE_ENTRY_LIST,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_ITEM] =
    g_param_spec_uint ("current-item", NULL, NULL, 0, TRAJ_MAX_ITEMS, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TOTAL] =
    g_param_spec_boolean ("show-total", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_int ("total", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TrajScoreEntry::changed:
   *
   * An answer, the difficulty answer or the typed total changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * TrajScoreEntry::item-answered:
   * @item: the 0-based item the person answered
   */
  signals[ITEM_ANSWERED] = g_signal_new ("item-answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  traj_gui_init ();
  g_type_ensure (ADW_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/trajectory/Trajectory/traj-score-entry.ui");
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, box);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, instruction_label);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, items_box);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, total_list);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, total_row);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, total_message_row);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, total_message);
  gtk_widget_class_bind_template_child (widget_class, TrajScoreEntry, total_label);
  gtk_widget_class_bind_template_callback (widget_class, on_total_changed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "trajscoreentry");
}

static void
traj_score_entry_init (TrajScoreEntry *self)
{
  self->layout = TRAJ_SCORE_ENTRY_LIST;
  self->show_total = TRUE;
  self->difficulty = -1;
  self->total = -1;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    self->values[k] = -1;
  self->items = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_add_css_class (GTK_WIDGET (self), "list");
}

/* ---- public API --------------------------------------------------------- */

GtkWidget *
traj_score_entry_new (void)
{
  return g_object_new (TRAJ_TYPE_SCORE_ENTRY, NULL);
}

void
traj_score_entry_set_scale (TrajScoreEntry *self,
                            TrajScaleId     scale)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));
  g_return_if_fail (scale == TRAJ_SCALE_NONE || traj_scale_get (scale) != NULL);

  if (self->scale == scale)
    return;
  self->scale = scale;
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    self->values[k] = -1;
  self->difficulty = -1;
  self->current_item = 0;
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->total_row), "");
  self->updating = FALSE;
  traj_score_entry_set_total_error (self, NULL);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
  g_signal_emit (self, signals[CHANGED], 0);
}

TrajScaleId
traj_score_entry_get_scale (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), TRAJ_SCALE_NONE);
  return self->scale;
}

void
traj_score_entry_set_layout (TrajScoreEntry       *self,
                             TrajScoreEntryLayout  layout)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  if (self->layout == layout)
    return;
  self->layout = layout;
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}

TrajScoreEntryLayout
traj_score_entry_get_layout (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), TRAJ_SCORE_ENTRY_LIST);
  return self->layout;
}

void
traj_score_entry_set_values (TrajScoreEntry *self,
                             const int      *values,
                             guint           n)
{
  const TrajScale *scale;

  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));
  g_return_if_fail (values != NULL || n == 0);

  scale = get_scale (self);
  if (scale == NULL)
    return;
  for (guint k = 0; k < scale->n_items; k++)
    {
      int v = k < n ? values[k] : -1;

      if (v != -1 && !traj_scale_item_valid (scale, v))
        {
          g_warning ("%s item %u: answer %d is out of range", scale->code, k + 1, v);
          v = -1;
        }
      self->values[k] = v;
    }
  for (guint k = 0; k < self->items->len; k++)
    sync_item_buttons (self, g_ptr_array_index (self->items, k));
  recompute (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
traj_score_entry_get_values (TrajScoreEntry *self,
                             int            *out)
{
  const TrajScale *scale;

  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));
  g_return_if_fail (out != NULL);

  scale = get_scale (self);
  if (scale == NULL)
    return;
  for (guint k = 0; k < scale->n_items; k++)
    out[k] = self->values[k];
}

void
traj_score_entry_set_difficulty (TrajScoreEntry *self,
                                 int             difficulty)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  if (!has_difficulty (self) || difficulty < 0 || difficulty >= (int) traj_scale_phq9_difficulty ()->n_answers)
    difficulty = -1;
  if (self->difficulty == difficulty)
    return;
  self->difficulty = difficulty;
  if (has_difficulty (self) && self->items->len > 0)
    sync_item_buttons (self, g_ptr_array_index (self->items, self->items->len - 1));
  g_signal_emit (self, signals[CHANGED], 0);
}

int
traj_score_entry_get_difficulty (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), -1);
  return self->difficulty;
}

gboolean
traj_score_entry_is_complete (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), FALSE);
  return self->complete;
}

int
traj_score_entry_get_total (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), -1);
  return self->complete ? self->total : -1;
}

void
traj_score_entry_set_total (TrajScoreEntry *self,
                            int             total)
{
  g_autofree char *text = NULL;

  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  text = total >= 0 ? g_strdup_printf ("%d", total) : g_strdup ("");
  gtk_editable_set_text (GTK_EDITABLE (self->total_row), text);
}

int
traj_score_entry_get_typed_total (TrajScoreEntry *self)
{
  g_autofree char *text = NULL;
  gint64 value;
  char *end;

  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), -1);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->total_row))));
  if (*text == '\0')
    return -1;
  value = g_ascii_strtoll (text, &end, 10);
  if (*end != '\0' || end == text || value < 0 || value > G_MAXINT)
    return G_MININT;
  return (int) value;
}

guint
traj_score_entry_get_n_answered (TrajScoreEntry *self)
{
  const TrajScale *scale;
  guint n = 0;

  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), 0);

  scale = get_scale (self);
  if (scale == NULL)
    return 0;
  for (guint k = 0; k < scale->n_items; k++)
    n += self->values[k] >= 0;
  return n;
}

guint
traj_score_entry_get_n_items (TrajScoreEntry *self)
{
  const TrajScale *scale;

  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), 0);

  scale = get_scale (self);
  if (scale == NULL)
    return 0;
  return scale->n_items + (has_difficulty (self) ? 1 : 0);
}

void
traj_score_entry_set_current_item (TrajScoreEntry *self,
                                   guint           item)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  item = MIN (item, MAX (traj_score_entry_get_n_items (self), 1) - 1);
  if (self->current_item == item)
    return;
  self->current_item = item;
  update_pages (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ITEM]);
}

guint
traj_score_entry_get_current_item (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), 0);
  return self->current_item;
}

void
traj_score_entry_set_show_total (TrajScoreEntry *self,
                                 gboolean        show_total)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  show_total = !!show_total;
  if (self->show_total == show_total)
    return;
  self->show_total = show_total;
  recompute (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TOTAL]);
}

gboolean
traj_score_entry_get_show_total (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), TRUE);
  return self->show_total;
}

GtkWidget *
traj_score_entry_get_answer_button (TrajScoreEntry *self,
                                    guint           item,
                                    int             value)
{
  ItemView *view;

  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), NULL);

  if (item >= self->items->len)
    return NULL;
  view = g_ptr_array_index (self->items, item);
  for (guint k = 0; k < view->n_buttons; k++)
    if (view->values[k] == value)
      return view->buttons[k];
  return NULL;
}

GtkWidget *
traj_score_entry_get_total_field (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), NULL);
  return self->total_row;
}

void
traj_score_entry_set_total_error (TrajScoreEntry *self,
                                  const GError   *error)
{
  g_return_if_fail (TRAJ_IS_SCORE_ENTRY (self));

  traj_field_set_error (self->total_row, error);
  gtk_label_set_label (self->total_message, error ? error->message : "");
  gtk_widget_set_visible (self->total_message_row, error != NULL);
}

const char *
traj_score_entry_get_summary (TrajScoreEntry *self)
{
  g_return_val_if_fail (TRAJ_IS_SCORE_ENTRY (self), NULL);
  return self->summary ? self->summary : "";
}
