package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// interrupts turns Ctrl-C into two steps for plan and apply: the first
// closes stop (start nothing new, let the running stacks finish), the
// second cancels ctx (stop waiting at once).
type interrupts struct {
	ctx     context.Context
	cancel  context.CancelFunc
	stop    chan struct{}
	signals chan os.Signal
	done    chan struct{}
}

func watchInterrupts(stderr io.Writer, command string) *interrupts {
	in := &interrupts{stop: make(chan struct{}), signals: make(chan os.Signal, 2), done: make(chan struct{})}
	in.ctx, in.cancel = context.WithCancel(context.Background())
	signal.Notify(in.signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-in.done:
				return
			case <-in.signals:
			}
			if n == 1 {
				fmt.Fprintf(stderr, "gitops %s: interrupted: starting no new stack, letting the running ones finish, deleting the change sets not executed; Ctrl-C again to cancel at once\n", command)
				close(in.stop)
				continue
			}
			fmt.Fprintf(stderr, "gitops %s: cancelled\n", command)
			in.cancel()
			return
		}
	}()
	return in
}

// close stops watching; signals go back to their default.
func (in *interrupts) close() {
	signal.Stop(in.signals)
	close(in.done)
	in.cancel()
}
