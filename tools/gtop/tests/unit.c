// SPDX-License-Identifier: GPL-2.0
/* unit.c - runs the unit tests; prints "N passed, N failed". */
#include <locale.h>
#include <stdio.h>

#include "check.h"

int check_passed, check_failed;

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_util();
	test_parse();
	test_scan();
	test_model();
	test_wall();
	test_live();
	test_layout();
	test_output();
	test_opts();
	test_http();
	test_record();
	test_quant();
	test_hist();
	test_live_last();
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}
