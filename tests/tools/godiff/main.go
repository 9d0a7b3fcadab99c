// Command godiff answers test cases with the Go code that fluxops reimplements, one JSON line
// in, one JSON line out, so that thousands of cases cost one process:
//
//	godiff envsubst   {"text": "...", "vars": {"A": "x"}, "strict": true}
//	                  -> {"out": "<base64>", "err": ""}       github.com/fluxcd/pkg/envsubst Eval
//	                  (the output in base64: byte offsets can cut a UTF-8 sequence in two;
//	                  a panic is answered as an error "panic: ...")
//	godiff strvals    {"dest": {...}, "steps": [{"expr": "a.b=1", "mode": "set|string|literal"}]}
//	                  -> {"dest": {...}, "err": "", "step": N} helm.sh/helm/v4/pkg/strvals
//	godiff duration   {"s": "1h30m"} -> {"ns": 5400000000000, "err": ""}   time.ParseDuration
//
// strvals applies the steps to one map in order (ParseInto, ParseIntoString, ParseLiteralInto)
// and stops at the first error; "step" is the index of the step that failed (or the count).
// "dest" comes from JSON, so its numbers are float64, as helm-controller's values are.
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/fluxcd/pkg/envsubst"
	"helm.sh/helm/v4/pkg/strvals"
)

type envsubstCase struct {
	Text   string            `json:"text"`
	Vars   map[string]string `json:"vars"`
	Strict bool              `json:"strict"`
}

type strvalsStep struct {
	Expr string `json:"expr"`
	Mode string `json:"mode"`
}

type strvalsCase struct {
	Dest  map[string]any `json:"dest"`
	Steps []strvalsStep  `json:"steps"`
}

type durationCase struct {
	S string `json:"s"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: godiff envsubst|strvals|duration < cases.jsonl")
		os.Exit(2)
	}
	answer := map[string]func([]byte) (any, error){
		"envsubst": runEnvsubst,
		"strvals":  runStrvals,
		"duration": runDuration,
	}[os.Args[1]]
	if answer == nil {
		fmt.Fprintln(os.Stderr, "godiff: unknown mode", os.Args[1])
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		result, err := answer(in.Bytes())
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, "godiff: bad case:", err)
			os.Exit(1)
		}
		if err := enc.Encode(result); err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, "godiff:", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		out.Flush()
		fmt.Fprintln(os.Stderr, "godiff:", err)
		os.Exit(1)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func runEnvsubst(line []byte) (result any, err error) {
	var c envsubstCase
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			result = map[string]string{"out": "", "err": fmt.Sprintf("panic: %v", r)}
		}
	}()
	mapping := func(name string) (string, bool) {
		value, ok := c.Vars[name]
		if c.Strict {
			return value, ok
		}
		return value, true
	}
	out, err := envsubst.Eval(c.Text, mapping)
	if err != nil {
		out = ""
	}
	return map[string]string{"out": base64.StdEncoding.EncodeToString([]byte(out)), "err": errText(err)}, nil
}

func runStrvals(line []byte) (any, error) {
	var c strvalsCase
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, err
	}
	dest := c.Dest
	if dest == nil {
		dest = map[string]any{}
	}
	for i, step := range c.Steps {
		if err := strvalsStepInto(step, dest); err != nil {
			return map[string]any{"dest": dest, "err": err.Error(), "step": i}, nil
		}
	}
	return map[string]any{"dest": dest, "err": "", "step": len(c.Steps)}, nil
}

func strvalsStepInto(step strvalsStep, dest map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	switch step.Mode {
	case "set":
		return strvals.ParseInto(step.Expr, dest)
	case "string":
		return strvals.ParseIntoString(step.Expr, dest)
	case "literal":
		return strvals.ParseLiteralInto(step.Expr, dest)
	}
	return fmt.Errorf("unknown mode %q", step.Mode)
}

func runDuration(line []byte) (any, error) {
	var c durationCase
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, err
	}
	d, err := time.ParseDuration(c.S)
	return map[string]any{"ns": int64(d), "err": errText(err)}, nil
}
