/* SPDX-License-Identifier: BSD-3-Clause */
/* Subcommands of the uiommufd tool. */
#ifndef UIOMMUFD_TOOL_H
#define UIOMMUFD_TOOL_H

int tool_demo(int argc, char **argv);
int demo_vm(void);
int tool_run(int argc, char **argv);

#endif
