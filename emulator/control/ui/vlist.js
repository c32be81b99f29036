// A virtualised list: only the rows in view exist in the DOM, so 50,000 events scroll
// as fast as 50. Rows are a fixed height. Keyboard: arrows, Page Up/Down, Home/End move
// the selection; Enter opens it.
export class VirtualList {
  constructor({ rowHeight = 24, renderRow, onOpen, label }) {
    this.rowHeight = rowHeight;
    this.renderRow = renderRow;
    this.onOpen = onOpen;
    this.items = [];
    this.selected = -1;
    this.el = document.createElement('div');
    this.el.className = 'vlist';
    this.el.tabIndex = 0;
    this.el.setAttribute('role', 'listbox');
    this.el.setAttribute('aria-label', label);
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.el.append(this.spacer);
    this.el.addEventListener('scroll', () => this.draw());
    this.el.addEventListener('keydown', (ev) => this.key(ev));
    this.el.addEventListener('click', (ev) => {
      const row = ev.target.closest('[data-index]');
      if (row) this.select(Number(row.dataset.index), true);
    });
  }

  setItems(items, { stickToBottom = false } = {}) {
    const atBottom = this.el.scrollTop + this.el.clientHeight >= this.el.scrollHeight - this.rowHeight * 2;
    this.items = items;
    this.spacer.style.height = `${items.length * this.rowHeight}px`;
    if (stickToBottom && atBottom) this.el.scrollTop = this.el.scrollHeight;
    this.draw();
  }

  // Rows already on screen are kept: a scroll creates only the rows that came into view.
  draw() {
    const first = Math.max(0, Math.floor(this.el.scrollTop / this.rowHeight) - 5);
    const count = Math.ceil((this.el.clientHeight || 600) / this.rowHeight) + 10;
    const last = Math.min(this.items.length, first + count);
    const kept = new Map();
    for (let i = first; i < last; i++) {
      let row = this.rows?.get(i);
      if (!row || row.item !== this.items[i]) {
        row = this.renderRow(this.items[i], i);
        row.item = this.items[i];
        row.dataset.index = i;
        row.id = `vrow-${i}`;
        row.setAttribute('role', 'option');
        row.classList.add('vrow');
        row.style.top = `${i * this.rowHeight}px`;
        row.style.height = `${this.rowHeight}px`;
        this.spacer.append(row);
      }
      row.setAttribute('aria-selected', String(i === this.selected));
      row.classList.toggle('selected', i === this.selected);
      kept.set(i, row);
    }
    for (const [i, row] of this.rows || []) if (kept.get(i) !== row) row.remove();
    this.rows = kept;
    if (this.selected >= 0) this.el.setAttribute('aria-activedescendant', `vrow-${this.selected}`);
  }

  select(i, open = false) {
    if (!this.items.length) return;
    this.selected = Math.max(0, Math.min(this.items.length - 1, i));
    const top = this.selected * this.rowHeight;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + this.rowHeight > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + this.rowHeight - this.el.clientHeight;
    this.draw();
    if (open && this.onOpen) this.onOpen(this.items[this.selected]);
  }

  key(ev) {
    const page = Math.max(1, Math.floor(this.el.clientHeight / this.rowHeight) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (ev.key in moves) this.select(this.selected + moves[ev.key]);
    else if (ev.key === 'Home') this.select(0);
    else if (ev.key === 'End') this.select(this.items.length - 1);
    else if (ev.key === 'Enter' && this.selected >= 0) this.select(this.selected, true);
    else return;
    ev.preventDefault();
  }
}
