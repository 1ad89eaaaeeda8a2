jest.setTimeout(15 * 60 * 1000);
