#!/usr/bin/python3
"""Renders OCR quality pages the way the OCR tutorial's validator makes them.

reportlab draws the invoice with drawString on a US-letter canvas (base-14 Helvetica or
Times-Roman), PyMuPDF rasterises it at zoom 1.5, then the tutorial's corrupt_image(): darkened
side borders, gaussian noise on 10 % of the pixels (sigma 10), a dark spot around (100, 100)
(10000 / (1 + distance)), as the project's other two generators and the held-out pages; --harsh
uses corrupt.py's literal sigma 50 and 100000, which buries the header under the spot), x0.95,
a 0.2 degree rotation (expand, black corners), blur 0.5, and the page saved at 100 dpi and read
back at 72 dpi (x0.72), as JPEG. Labels follow the tutorial's convention: from the pen start to
start + pdfmetrics.stringWidth, from baseline - 0.8 size to baseline + 0.2 size, as page fractions
times the final image size.

Besides the tutorial's own template ("tutorial"), it draws pages the tutorial never draws:
"columns" (right-aligned money columns, header 14-16 pt, body 9-11 pt), "mixed" (each line its own
family and size, 9-16 pt) and "letter" (left-aligned text blocks at several indents). The renderer
"pil-urw" draws the same labels with Pillow/FreeType and URW's Nimbus Sans / Nimbus Roman
(fonts-urw-base35), a third rasteriser of Helvetica/Times look-alikes.

Everything is seeded: the same arguments give byte-identical files.

Usage: /usr/bin/python3 scripts/ocr-corpus.py OUT_DIR [--pages N] [--seed S]
         [--kinds tutorial,columns,mixed,letter] [--renderer reportlab|pil-urw] [--harsh]
Writes OUT_DIR/<kind>-<NN>.jpg and OUT_DIR/<kind>-<NN>.json (a list of
{"position": [x0, y0, x1, y1], "text", "font": {"family", "size"}}).
"""
import argparse
import io
import json
import math
import os
import random

import fitz  # Debian's python3-fitz (PyMuPDF 1.21) is imported as fitz, not pymupdf
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = letter
FAMILIES = ["Helvetica", "Times-Roman"]
URW = {
    "Helvetica": "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
    "Times-Roman": "/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf",
}
ZOOM = 1.5
DPI_RATIO = 72 / 100

COMPANIES = ["Johnson, Smith and Lee", "Garcia Group", "Miller LLC", "Acme Widgets Inc", "Brown-Davis",
             "Northwind Traders", "Taylor PLC", "Hernandez, Moore and Wright", "Kim-Nguyen", "Walker Ltd"]
STREETS = ["482 Oak Street", "17 Harbor Lane", "9021 Sunset Blvd", "350 Fifth Avenue", "12 Maple Drive Apt. 4",
           "7706 Jackson Curve Suite 310", "55 Pine Court"]
CITIES = ["Springfield, 62704", "Port Ryan, 38211", "Lake Anna, 90210", "New Kelly, 10018", "East Mark, 55102",
          "Wilsonview, 73301"]
PEOPLE = ["Jennifer Walsh", "Robert King", "Maria Lopez", "David Chen", "Amanda Brooks", "Kevin Patel",
          "Thomas Reyes", "Laura Fitzgerald"]
ITEMS = [("Web hosting", 100.0), ("Domain registration", 10.0), ("SSL certificate", 5.5), ("Web design", 500.0),
         ("Web development", 500.0), ("SEO", 100.0), ("Content creation", 300.0),
         ("Social media marketing", 400.0), ("Email marketing", 150.0), ("PPC advertising", 200.0),
         ("Analytics", 400.0), ("Consulting", 700.0), ("Training", 1200.0), ("Maintenance", 650.0),
         ("Support", 80.0), ("Graphic design", 310.0), ("Logo design", 140.0), ("Branding", 750.0)]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SENTENCES = ["Thank you for your business.", "Please include the invoice number with your payment.",
             "Late payments incur a fee of 1.5% per month.", "Questions? Contact billing@example.com",
             "Wire transfers: allow 3 business days.", "All prices in US dollars."]


class Line:
    """One drawn string: pen position in points (y from the bottom), text, font, alignment."""

    def __init__(self, x, y, text, family, size, right=False):
        self.x, self.y, self.text, self.family, self.size, self.right = x, y, text, family, size, right

    def start(self):
        width = pdfmetrics.stringWidth(self.text, self.family, self.size)
        return self.x - width if self.right else self.x, width


def invoice_date(r):
    return f"{r.choice(MONTHS)} {r.randint(1, 28):02d}, {r.randint(2010, 2023)}"


def items(r, lo, hi):
    chosen = sorted(r.sample(ITEMS, k=r.randint(lo, hi)), key=lambda it: it[0])
    return [(d, r.randint(1, 5), c) for d, c in chosen]


def tutorial_page(r):
    """The tutorial's template: one family and size for the whole page."""
    fam, size = r.choice(FAMILIES), r.choice([10, 11, 12])
    out = []
    t = lambda x, y, s: out.append(Line(x, y, s, fam, size))
    t(30, 750, r.choice(COMPANIES))
    t(30, 735, r.choice(STREETS))
    t(30, 720, r.choice(CITIES))
    t(400, 750, "Invoice Date: " + invoice_date(r))
    t(400, 735, f"Invoice #: INV{r.randint(1, 10000):06}")
    t(30, 690, "Bill To:")
    t(120, 690, r.choice(PEOPLE))
    t(30, 650, "Description")
    t(300, 650, "Qty")
    t(460, 650, "Cost")
    y, total = 625, 0.0
    for desc, qty, cost in items(r, 8, 18):
        t(30, y, desc)
        t(300, y, str(qty))
        t(460, y, "${:.2f}".format(cost))
        total += qty * cost
        y -= 15
    t(400, y - 15, f"Total: ${total:,.2f}")
    t(30, y - 45, "Terms:")
    t(120, y - 45, f"Payment due within {r.choice([7, 14, 30, 60, 90])} days")
    return out, 645


def columns_page(r):
    """Large header, right-aligned money columns, small body."""
    fam = r.choice(FAMILIES)
    head, body = r.choice([14, 15, 16]), r.choice([9, 10, 11])
    out = [Line(40, 740, r.choice(COMPANIES), fam, head),
           Line(572, 740, "INVOICE", fam, head, right=True),
           Line(572, 715, f"No. INV{r.randint(1, 10000):06}", fam, body, right=True),
           Line(572, 700, invoice_date(r), fam, body, right=True),
           Line(40, 715, r.choice(STREETS), fam, body),
           Line(40, 700, r.choice(CITIES), fam, body)]
    step = round(body * 1.6)
    y = 660
    for label, x, right in (("Item", 40, False), ("Qty", 360, True), ("Unit", 460, True), ("Amount", 572, True)):
        out.append(Line(x, y, label, fam, body, right))
    y -= step + 4
    total = 0.0
    for desc, qty, cost in items(r, 6, 14):
        out += [Line(40, y, desc, fam, body), Line(360, y, str(qty), fam, body, True),
                Line(460, y, f"{cost:,.2f}", fam, body, True), Line(572, y, f"{qty * cost:,.2f}", fam, body, True)]
        total += qty * cost
        y -= step
    out.append(Line(572, y - step, f"Total due: ${total:,.2f}", fam, body + 2, True))
    return out, 655


def mixed_page(r):
    """Every line its own family and size: the family must be read per line."""
    out, y = [], 750
    for kind in ["company", "street", "city", "bill", "sent", "sent"] + ["item"] * r.randint(5, 10) + ["sent"]:
        fam, size = r.choice(FAMILIES), r.randint(9, 16)
        x = r.choice([30, 40, 60, 90])
        if kind == "company":
            text = r.choice(COMPANIES)
        elif kind == "street":
            text = r.choice(STREETS)
        elif kind == "city":
            text = r.choice(CITIES)
        elif kind == "bill":
            text = "Bill To: " + r.choice(PEOPLE)
        elif kind == "item":
            desc, qty, cost = items(r, 1, 1)[0]
            text = f"{qty} x {desc}"
            out.append(Line(560, y, f"${qty * cost:,.2f}", r.choice(FAMILIES), size, right=True))
        else:
            text = r.choice(SENTENCES)
        out.append(Line(x, y, text, fam, size))
        y -= round(size * 1.5) + r.randint(2, 10)
        if y < 60:
            break
    return out, None


def letter_page(r):
    """Text blocks at several indents, one family, 9-13 pt."""
    fam, size = r.choice(FAMILIES), r.randint(9, 13)
    out, y = [], 740
    for _ in range(4):
        x = r.choice([40, 72, 110])
        for _ in range(r.randint(2, 5)):
            out.append(Line(x, y, r.choice(SENTENCES + [r.choice(COMPANIES) + ", " + r.choice(CITIES)]), fam, size))
            y -= round(size * 1.45)
        y -= size * 2
    return out, None


KINDS = {"tutorial": tutorial_page, "columns": columns_page, "mixed": mixed_page, "letter": letter_page}


def render_reportlab(lines, rule_y):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    c.setLineWidth(.3)
    for ln in lines:
        c.setFont(ln.family, ln.size)
        (c.drawRightString if ln.right else c.drawString)(ln.x, ln.y, ln.text)
    if rule_y is not None:
        c.line(30, rule_y, 560, rule_y)
    c.save()
    doc = fitz.open("pdf", buf.getvalue())
    pix = doc[0].get_pixmap(matrix=fitz.Matrix(ZOOM, ZOOM))
    return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)


def render_pil_urw(lines, rule_y):
    """A different rasteriser (FreeType via Pillow) and URW's look-alike fonts, same pen positions."""
    w, h = round(PAGE_W * ZOOM), round(PAGE_H * ZOOM)
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    fonts = {}
    for ln in lines:
        key = (ln.family, ln.size)
        if key not in fonts:
            fonts[key] = ImageFont.truetype(URW[ln.family], round(ln.size * ZOOM))
        x0, _ = ln.start()
        draw.text((x0 * ZOOM, (PAGE_H - ln.y) * ZOOM), ln.text, font=fonts[key], fill="black", anchor="ls")
    if rule_y is not None:
        draw.line([(30 * ZOOM, (PAGE_H - rule_y) * ZOOM), (560 * ZOOM, (PAGE_H - rule_y) * ZOOM)], fill="black")
    return img


def corrupt(img, r, theta, scale, sigma, spot_strength, noise=0.1, border=50, blur=0.5, spot=(100, 100)):
    """The tutorial's corrupt_image() (theta and blur as its validator passes them), then 100 dpi read at 72."""
    width, height = img.size
    px = img.load()
    for x in range(1, border):
        tone = 256 - int(250 * (x / border - 1) ** 2)
        for y in range(height):
            if min(px[x, y]) < 20:
                continue
            px[x, y] = (min(tone, 255),) * 3
            px[width - x, y] = (min(tone, 255),) * 3
    for _ in range(int(width * height * noise)):
        x, y = r.randint(0, width - 1), r.randint(0, height - 1)
        delta = r.gauss(0, sigma)
        px[x, y] = tuple(int(min(max(0, v + delta), 255)) for v in px[x, y])
    for _ in range(int(width * height * noise)):
        x, y = r.randint(0, width - 1), r.randint(0, height - 1)
        delta = spot_strength / (1 + math.sqrt((spot[0] - x) ** 2 + (spot[1] - y) ** 2))
        px[x, y] = tuple(int(min(max(0, v - delta), 255)) for v in px[x, y])
    img = img.resize((int(scale * width), int(scale * height)))
    img = img.rotate(theta, expand=True)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    return img.resize((round(img.width * DPI_RATIO), round(img.height * DPI_RATIO)))


def labels(lines, img_w, img_h):
    out = []
    for ln in lines:
        x0, width = ln.start()
        frac = [x0 / PAGE_W, 1 - (ln.y + 0.8 * ln.size) / PAGE_H, (x0 + width) / PAGE_W, 1 - (ln.y - 0.2 * ln.size) / PAGE_H]
        pos = [round(f * d, 2) for f, d in zip(frac, [img_w, img_h, img_w, img_h])]
        out.append({"position": pos, "text": ln.text, "font": {"family": ln.family, "size": ln.size}})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--pages", type=int, default=6, help="pages per kind")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", default="tutorial,columns,mixed,letter")
    ap.add_argument("--renderer", choices=["reportlab", "pil-urw"], default="reportlab")
    ap.add_argument("--harsh", action="store_true",
                    help="corrupt.py's literal noise (gauss sigma 50, spot 100000) instead of sigma 10, spot 10000")
    a = ap.parse_args()
    sigma, spot_strength = (50, 100000) if a.harsh else (10, 10000)
    os.makedirs(a.out, exist_ok=True)
    render = render_reportlab if a.renderer == "reportlab" else render_pil_urw
    for kind in a.kinds.split(","):
        for i in range(a.pages):
            r = random.Random(f"{a.seed}:{kind}:{i}")
            lines, rule_y = KINDS[kind](r)
            # The other layouts go through the same validator pipeline (0.2 degrees, x0.95).
            img = corrupt(render(lines, rule_y), r, 0.2, 0.95, sigma, spot_strength)
            name = os.path.join(a.out, f"{kind}-{i:02d}")
            img.save(name + ".jpg", "JPEG", quality=75)
            with open(name + ".json", "w") as f:
                json.dump(labels(lines, img.width, img.height), f, indent=None)
                f.write("\n")


if __name__ == "__main__":
    main()
