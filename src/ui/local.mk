# fragment for src/ui: the curses wizard and review.
libimmich_a_SOURCES += \
	src/ui/ui.h src/ui/uimain.h \
	src/ui/term.c src/ui/draw.c src/ui/dialog.c src/ui/runview.c \
	src/ui/wizard.c src/ui/scr_welcome.c src/ui/scr_settings.c src/ui/scr_checks.c \
	src/ui/scr_stage.c src/ui/scr_finish.c src/ui/review.c src/ui/attach.c
