package procstat

import (
	"os"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	st, err := Parse("1234 (bgp d) (x)) T 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 0 0")
	if err != nil || st.State != 'T' || st.Start != 987654 || !st.Stopped() || st.Dead() {
		t.Errorf("a stopped daemon with ') ' in its name: %+v %v", st, err)
	}
	if st.CPU != 11+12 || st.CPUTime() != 230*time.Millisecond {
		t.Errorf("utime 11 + stime 12 ticks: CPU %d (%s)", st.CPU, st.CPUTime())
	}
	if st, err := Parse("1234 (zebra) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 0"); err != nil || !st.Dead() {
		t.Errorf("zombie: %+v %v", st, err)
	}
	for _, bad := range []string{"", "1234 zebra S 1 2", "1234 (zebra) S 1 2 3", "1234 (zebra) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x 0"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestReadSelf(t *testing.T) {
	st, err := Read(os.Getpid())
	if err != nil || st.Start == 0 || st.Dead() || st.Stopped() {
		t.Errorf("this process: %+v %v", st, err)
	}
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		if st, err = Read(os.Getpid()); err == nil && st.CPU > 0 {
			break // this loop itself burns the CPU it waits to see
		}
	}
	if st.CPUTime() <= 0 {
		t.Errorf("no CPU time seen for this busy process: %+v", st)
	}
	if _, err := Read(-1); err == nil {
		t.Error("pid -1 read")
	}
}
