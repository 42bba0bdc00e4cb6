/* SPDX-License-Identifier: GPL-2.0 */
/* format.h - the batch output formats (chosen by options, made by output.c). */
#ifndef GTOP_FORMAT_H
#define GTOP_FORMAT_H

enum gt_out_fmt { GT_OUT_TEXT, GT_OUT_JSON, GT_OUT_CSV, GT_OUT_PROM };

#endif
