/* placeholder until the summary is written */
#include "commands.h"
#include "args.h"
int summarize_command(int argc, char **argv) { (void)argc; (void)argv; usage_error("summarize: not yet"); }
