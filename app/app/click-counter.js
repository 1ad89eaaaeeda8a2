"use client";

import { useState } from "react";

// Exists so the build ships client JS under /_next/static/ (proxy/static tests).
export default function ClickCounter() {
  const [clicks, setClicks] = useState(0);
  return (
    <button type="button" data-testid="click-counter" onClick={() => setClicks((c) => c + 1)}>
      Clicked {clicks} {clicks === 1 ? "time" : "times"}
    </button>
  );
}
