/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "trajectory"

#include "config.h"

#include "traj-columns-layout.h"

struct _TrajColumnsLayout
{
  GtkLayoutManager parent_instance;

  guint max_columns;        /* 0 = as many as there are children */
  int spacing;
};

G_DEFINE_FINAL_TYPE (TrajColumnsLayout, traj_columns_layout, GTK_TYPE_LAYOUT_MANAGER)

enum {
  PROP_0,
  PROP_MAX_COLUMNS,
  PROP_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GPtrArray *
visible_children (GtkWidget *widget)
{
  GPtrArray *children = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      g_ptr_array_add (children, child);
  return children;
}

static void
widest_child (GPtrArray *children, int *minimum, int *natural)
{
  *minimum = *natural = 0;
  for (guint k = 0; k < children->len; k++)
    {
      int min, nat;

      gtk_widget_measure (g_ptr_array_index (children, k), GTK_ORIENTATION_HORIZONTAL, -1,
                          &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural = MAX (*natural, nat);
    }
}

static guint
most_columns (TrajColumnsLayout *self, guint n)
{
  return self->max_columns > 0 ? MIN (n, self->max_columns) : n;
}

/* The most columns whose narrowest children fit in @width, then evened out so
 * every row but the last is full and rows differ by at most one child. */
static guint
choose_columns (TrajColumnsLayout *self, guint n, int child_min, int width)
{
  guint columns = most_columns (self, n);
  guint rows;

  if (n == 0)
    return 1;
  while (columns > 1 && (int) columns * child_min + ((int) columns - 1) * self->spacing > width)
    columns--;
  rows = (n + columns - 1) / columns;
  return (n + rows - 1) / rows;
}

static int
column_width (TrajColumnsLayout *self, guint columns, int width)
{
  return MAX (0, (width - ((int) columns - 1) * self->spacing) / (int) columns);
}

static void
measure_rows (TrajColumnsLayout *self,
              GPtrArray         *children,
              guint              columns,
              int                col_width,
              int               *minimum,
              int               *natural)
{
  *minimum = *natural = 0;
  for (guint first = 0; first < children->len; first += columns)
    {
      int row_min = 0, row_nat = 0;

      for (guint k = first; k < MIN (first + columns, children->len); k++)
        {
          int min, nat;

          gtk_widget_measure (g_ptr_array_index (children, k), GTK_ORIENTATION_VERTICAL, col_width,
                              &min, &nat, NULL, NULL);
          row_min = MAX (row_min, min);
          row_nat = MAX (row_nat, nat);
        }
      if (first > 0)
        {
          *minimum += self->spacing;
          *natural += self->spacing;
        }
      *minimum += row_min;
      *natural += row_nat;
    }
}

static GtkSizeRequestMode
traj_columns_layout_get_request_mode (GtkLayoutManager *manager,
                                      GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
traj_columns_layout_measure (GtkLayoutManager *manager,
                             GtkWidget        *widget,
                             GtkOrientation    orientation,
                             int               for_size,
                             int              *minimum,
                             int              *natural,
                             int              *minimum_baseline,
                             int              *natural_baseline)
{
  TrajColumnsLayout *self = TRAJ_COLUMNS_LAYOUT (manager);
  g_autoptr(GPtrArray) children = visible_children (widget);
  int child_min, child_nat;
  guint n = children->len;

  *minimum = *natural = 0;
  if (n == 0)
    return;

  widest_child (children, &child_min, &child_nat);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      guint columns = most_columns (self, n);

      *minimum = child_min;
      *natural = (int) columns * child_nat + ((int) columns - 1) * self->spacing;
    }
  else
    {
      guint columns;
      int width;

      if (for_size < 0)
        {
          columns = most_columns (self, n);
          width = child_nat;
        }
      else
        {
          columns = choose_columns (self, n, child_min, for_size);
          width = MAX (child_min, column_width (self, columns, for_size));
        }
      measure_rows (self, children, columns, width, minimum, natural);
    }
}

static void
traj_columns_layout_allocate (GtkLayoutManager *manager,
                              GtkWidget        *widget,
                              int               width,
                              int               height,
                              int               baseline)
{
  TrajColumnsLayout *self = TRAJ_COLUMNS_LAYOUT (manager);
  g_autoptr(GPtrArray) children = visible_children (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int child_min, child_nat, y = 0;
  guint columns;
  double step;

  if (children->len == 0)
    return;

  widest_child (children, &child_min, &child_nat);
  columns = choose_columns (self, children->len, child_min, width);
  step = (double) (width + self->spacing) / columns;

  for (guint first = 0; first < children->len; first += columns)
    {
      guint last = MIN (first + columns, children->len);
      int row_height = 0;

      for (guint k = first; k < last; k++)
        {
          int min, nat;
          int x0 = (int) ((k - first) * step), x1 = (int) ((k - first + 1) * step) - self->spacing;

          gtk_widget_measure (g_ptr_array_index (children, k), GTK_ORIENTATION_VERTICAL, x1 - x0,
                              &min, &nat, NULL, NULL);
          row_height = MAX (row_height, nat);
        }
      for (guint k = first; k < last; k++)
        {
          int x0 = (int) ((k - first) * step), x1 = (int) ((k - first + 1) * step) - self->spacing;
          GtkAllocation alloc = { rtl ? width - x1 : x0, y, MAX (0, x1 - x0), row_height };

          gtk_widget_size_allocate (g_ptr_array_index (children, k), &alloc, -1);
        }
      y += row_height + self->spacing;
    }
}

static void
traj_columns_layout_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrajColumnsLayout *self = TRAJ_COLUMNS_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_MAX_COLUMNS:
      traj_columns_layout_set_max_columns (self, g_value_get_uint (value));
      break;
    case PROP_SPACING:
      traj_columns_layout_set_spacing (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_columns_layout_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrajColumnsLayout *self = TRAJ_COLUMNS_LAYOUT (object);

  switch (prop_id)
    {
    case PROP_MAX_COLUMNS:
      g_value_set_uint (value, self->max_columns);
      break;
    case PROP_SPACING:
      g_value_set_int (value, self->spacing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
traj_columns_layout_class_init (TrajColumnsLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *layout_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->set_property = traj_columns_layout_set_property;
  object_class->get_property = traj_columns_layout_get_property;
  layout_class->get_request_mode = traj_columns_layout_get_request_mode;
  layout_class->measure = traj_columns_layout_measure;
  layout_class->allocate = traj_columns_layout_allocate;

  properties[PROP_MAX_COLUMNS] =
    g_param_spec_uint ("max-columns", NULL, NULL, 0, 64, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPACING] =
    g_param_spec_int ("spacing", NULL, NULL, 0, 100, 6,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
traj_columns_layout_init (TrajColumnsLayout *self)
{
  self->spacing = 6;
}

GtkLayoutManager *
traj_columns_layout_new (void)
{
  return g_object_new (TRAJ_TYPE_COLUMNS_LAYOUT, NULL);
}

void
traj_columns_layout_set_max_columns (TrajColumnsLayout *self,
                                     guint              max_columns)
{
  g_return_if_fail (TRAJ_IS_COLUMNS_LAYOUT (self));

  if (self->max_columns == max_columns)
    return;
  self->max_columns = max_columns;
  gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_COLUMNS]);
}

guint
traj_columns_layout_get_max_columns (TrajColumnsLayout *self)
{
  g_return_val_if_fail (TRAJ_IS_COLUMNS_LAYOUT (self), 0);
  return self->max_columns;
}

void
traj_columns_layout_set_spacing (TrajColumnsLayout *self,
                                 int                spacing)
{
  g_return_if_fail (TRAJ_IS_COLUMNS_LAYOUT (self));

  if (self->spacing == spacing)
    return;
  self->spacing = spacing;
  gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPACING]);
}

int
traj_columns_layout_get_spacing (TrajColumnsLayout *self)
{
  g_return_val_if_fail (TRAJ_IS_COLUMNS_LAYOUT (self), 0);
  return self->spacing;
}
