export const metadata = {
  title: "nextstack app",
  description: "Next.js + PostgreSQL behind nginx, deployed by nextstack",
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: "2rem" }}>{children}</body>
    </html>
  );
}
