// Command expr-eval evaluates Argo Rollouts metric conditions with the expr engine (Debian's
// golang-github-antonmedv-expr-dev), the way Argo's utils/evaluate EvalCondition does: the
// environment holds `result` (the decoded JSON value at the metric's jsonPath) and the helper
// functions asInt, asFloat, isNaN, isInf, isNil and default; the program must return a bool.
// One JSON request per stdin line: {"result": <any>, "condition": "<expr>"}; one JSON answer per
// stdout line: {"value": true|false} or {"error": "<message>"}. Written for slogate's contract
// tests; no code is copied from Argo Rollouts.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"

	"github.com/antonmedv/expr"
)

type request struct {
	Result    interface{} `json:"result"`
	Condition string      `json:"condition"`
}

type answer struct {
	Value *bool  `json:"value,omitempty"`
	Error string `json:"error,omitempty"`
}

func isNil(v interface{}) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Map, reflect.Slice, reflect.Ptr, reflect.Interface:
		return r.IsNil()
	}
	return false
}

func asFloat(v interface{}) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			panic(err)
		}
		return f
	}
	panic(fmt.Sprintf("asFloat() not supported on %T %v", v, v))
}

func asInt(v interface{}) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			panic(err)
		}
		return i
	}
	panic(fmt.Sprintf("asInt() not supported on %T %v", v, v))
}

func eval(req request) (b bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	env := map[string]interface{}{
		"result":  req.Result,
		"asInt":   asInt,
		"asFloat": asFloat,
		"isNaN":   math.IsNaN,
		"isInf":   func(f float64) bool { return math.IsInf(f, 0) },
		"isNil":   func() bool { return isNil(req.Result) },
		"default": func(d interface{}) interface{} {
			if isNil(req.Result) {
				return d
			}
			return req.Result
		},
	}
	program, err := expr.Compile(req.Condition, expr.Env(env))
	if err != nil {
		return false, err
	}
	out, err := expr.Run(program, env)
	if err != nil {
		return false, err
	}
	v, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("expected bool, but got %T", out)
	}
	return v, nil
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req request
		var a answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			a.Error = "bad request: " + err.Error()
		} else if v, err := eval(req); err != nil {
			a.Error = err.Error()
		} else {
			a.Value = &v
		}
		if err := enc.Encode(a); err != nil {
			os.Exit(1)
		}
	}
}
